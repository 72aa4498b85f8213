/// Checks the table headers of a TOML text before TOMLKit parses it.
///
/// toml++ 3, inside TOMLKit 0.6.0, asserts (and so aborts the process) on a header whose key starts with
/// a character a key cannot start with, such as `[[~offers]]`: a typo in the config must be an error with
/// a line number, not a crash of the daemon on reload. Found by fuzzing the config parser.
enum TableHeaderGuard {
    struct Problem: Error {
        var line: Int
        var reason: String
    }

    static func check(_ text: String) throws(Problem) {
        var arrayDepth = 0
        var inMultilineString: String?
        for (index, raw) in text.split(separator: "\n", omittingEmptySubsequences: false).enumerated() {
            let line = raw.drop { $0 == " " || $0 == "\t" }
            if let delimiter = inMultilineString {
                if line.contains(delimiter) { inMultilineString = nil }
                continue
            }
            if arrayDepth == 0, line.first == "[" {
                try checkHeader(line, line: index + 1)
                continue
            }
            // Track what spans lines: multi-line strings and arrays of values.
            for delimiter in ["\"\"\"", "'''"] where line.components(separatedByString: delimiter) % 2 == 0 {
                inMultilineString = delimiter
            }
            arrayDepth = max(0, arrayDepth + bracketBalance(line))
        }
    }

    private static func checkHeader(_ line: Substring, line number: Int) throws(Problem) {
        var body = line.dropFirst()
        if body.first == "[" { body = body.dropFirst() }
        guard let close = body.firstIndex(of: "]") else {
            throw Problem(line: number, reason: "a table header without its closing ]")
        }
        for segment in splitOutsideQuotes(body[..<close]) {
            let key = segment.trimmingSpaces
            guard let first = key.first else { throw Problem(line: number, reason: "an empty key in a table header") }
            if first == "\"" || first == "'" { continue }
            guard key.allSatisfy(isBareKeyCharacter) else {
                throw Problem(line: number, reason: "\(quotedKey(key)) is not a valid key: use letters, digits, _ and -, or quotes")
            }
        }
    }

    private static func isBareKeyCharacter(_ c: Character) -> Bool {
        c.isASCII && (c.isLetter || c.isNumber || c == "_" || c == "-")
    }

    private static func splitOutsideQuotes(_ text: Substring) -> [Substring] {
        var parts: [Substring] = []
        var start = text.startIndex
        var quote: Character?
        var index = text.startIndex
        while index < text.endIndex {
            let c = text[index]
            if let open = quote {
                if c == open { quote = nil }
            } else if c == "\"" || c == "'" {
                quote = c
            } else if c == "." {
                parts.append(text[start..<index])
                start = text.index(after: index)
            }
            index = text.index(after: index)
        }
        parts.append(text[start..<text.endIndex])
        return parts
    }

    /// `[` minus `]` outside strings and comments.
    private static func bracketBalance(_ line: Substring) -> Int {
        var balance = 0
        var quote: Character?
        for c in line {
            if let open = quote {
                if c == open { quote = nil }
                continue
            }
            switch c {
            case "\"", "'": quote = c
            case "#": return balance
            case "[": balance += 1
            case "]": balance -= 1
            default: break
            }
        }
        return balance
    }

    private static func quotedKey(_ key: Substring) -> String {
        "\"" + String(key.prefix(40)) + "\""
    }
}

extension Substring {
    fileprivate var trimmingSpaces: Substring {
        let isSpace: (Character) -> Bool = { $0 == " " || $0 == "\t" }
        guard let first = firstIndex(where: { !isSpace($0) }) else { return "" }
        return self[first...lastIndex(where: { !isSpace($0) })!]
    }

    fileprivate func components(separatedByString separator: String) -> Int {
        split(separator: separator, omittingEmptySubsequences: false).count
    }
}
