/// Checks that a config text is well-formed TOML 1.0 before TOMLKit parses it, and says which line is not.
///
/// toml++ 3.4.0 inside TOMLKit 0.6.0 is built without `NDEBUG`, and some malformed inputs reach its internal
/// assertions, which abort the process instead of raising a parse error (found by fuzzing and by reading its parser):
/// - `parse_value()`, `!is_value_terminator(*cp)`: an array element that starts with `}` or with U+0085, U+2028 or
///   U+2029, such as `x = [}` or `x = [1, }`;
/// - the look-ahead in `parse_value()`, the same assertion: a date, a space, one digit, then the end of the value,
///   such as `x = 2024-01-01 1`;
/// - `parse_time()`, `is_decimal_digit(*cp)`: a date and its `T` not followed by a digit, such as `x = 2024-01-01T:00`;
/// - `parse_key()`: a table header whose key starts with any other character, such as `[[~offers]]` or a lone `[`.
///
/// Rather than refusing those patterns one by one, this check reads the whole text by the TOML grammar (comments,
/// keys, strings of the four kinds, numbers, dates, arrays, inline tables, table headers), so toml++ only ever sees
/// documents whose syntax is valid. What it leaves to toml++ is meaning: keys defined twice, tables redefined,
/// days and numbers out of range.
enum TOMLSyntaxGuard {
    struct Problem: Error, Equatable {
        var line: Int
        var reason: String
    }

    /// How deep values may nest: toml++'s own limit (`TOML_MAX_NESTED_VALUES`), which also bounds the recursion here.
    static let maxDepth = 256

    static func check(_ text: String) throws(Problem) {
        var scanner = Scanner(bytes: Array(text.utf8))
        try scanner.document()
    }
}

private let space = UInt8(ascii: " ")
private let tab = UInt8(ascii: "\t")
private let lineFeed = UInt8(ascii: "\n")
private let carriageReturn = UInt8(ascii: "\r")
private let quote = UInt8(ascii: "\"")
private let apostrophe = UInt8(ascii: "'")
private let backslash = UInt8(ascii: "\\")

/// A recursive descent over the UTF-8 bytes: each method reads one production of the grammar or throws.
private struct Scanner {
    typealias Problem = TOMLSyntaxGuard.Problem

    let bytes: [UInt8]
    var position = 0
    var depth = 0

    init(bytes: [UInt8]) {
        self.bytes = bytes
        // toml++ skips a byte order mark, and so do editors that write one.
        if bytes.starts(with: [0xEF, 0xBB, 0xBF]) { position = 3 }
    }

    var current: UInt8? { position < bytes.count ? bytes[position] : nil }

    func peek(_ offset: Int) -> UInt8? {
        position + offset < bytes.count ? bytes[position + offset] : nil
    }

    mutating func advance(_ count: Int = 1) {
        position = min(position + count, bytes.count)
    }

    // MARK: The document

    mutating func document() throws(Problem) {
        if let nul = bytes.firstIndex(of: 0) {
            throw Problem(line: line(at: nul), reason: "a NUL byte: a config file is plain UTF-8 text")
        }
        while true {
            skipSpaces()
            guard let byte = current else { return }
            switch byte {
            case lineFeed, carriageReturn:
                try newline()
            case UInt8(ascii: "#"):
                try endOfLine()
            case UInt8(ascii: "["):
                try header()
                try endOfLine()
            default:
                guard isKeyStart(byte) else {
                    throw fail("expected a key, a [table] header or a # comment, found \(found())")
                }
                try keyValue()
                try endOfLine()
            }
        }
    }

    /// After a key = value or a header: spaces, an optional comment, then a line break or the end of the text.
    mutating func endOfLine() throws(Problem) {
        skipSpaces()
        if current == UInt8(ascii: "#") { try comment() }
        guard current != nil else { return }
        guard current == lineFeed || current == carriageReturn else {
            throw fail("expected the end of the line or a # comment, found \(found())")
        }
        try newline()
    }

    mutating func skipSpaces() {
        while current == space || current == tab { advance() }
    }

    /// `\n` or `\r\n`; a carriage return alone is no line break in TOML.
    mutating func newline() throws(Problem) {
        if current == carriageReturn {
            guard peek(1) == lineFeed else { throw fail("a carriage return without a line feed after it") }
            advance()
        }
        advance()
    }

    /// `# ...` up to the line break, which it leaves.
    mutating func comment() throws(Problem) {
        advance()
        while let byte = current, byte != lineFeed, byte != carriageReturn {
            guard !isControl(byte) else { throw fail("\(found()) in a comment") }
            advance()
        }
    }

    /// Spaces, line breaks and comments, as arrays allow between their values.
    mutating func skipBlank() throws(Problem) {
        while true {
            skipSpaces()
            switch current {
            case lineFeed, carriageReturn: try newline()
            case UInt8(ascii: "#"): try comment()
            default: return
            }
        }
    }

    // MARK: Keys and headers

    /// `[table]` or `[[array.of.tables]]`.
    mutating func header() throws(Problem) {
        advance()
        let isArray = current == UInt8(ascii: "[")
        if isArray { advance() }
        skipSpaces()
        if current == UInt8(ascii: "]") { throw fail("an empty table header") }
        try key()
        guard current == UInt8(ascii: "]") else {
            throw fail("expected \(isArray ? "]]" : "]") to close the table header, found \(found())")
        }
        advance()
        if isArray {
            guard current == UInt8(ascii: "]") else { throw fail("expected ]] to close the [[table]] header, found \(found())") }
            advance()
        }
    }

    /// A dotted key: simple keys joined by dots, spaces allowed around them; the spaces after it are read too.
    mutating func key() throws(Problem) {
        while true {
            try simpleKey()
            skipSpaces()
            guard current == UInt8(ascii: ".") else { return }
            advance()
            skipSpaces()
        }
    }

    mutating func simpleKey() throws(Problem) {
        guard let byte = current else { throw fail("expected a key, found \(found())") }
        if byte == quote {
            if peek(1) == quote, peek(2) == quote { throw fail("a key cannot be a multi-line string") }
            try basicString()
        } else if byte == apostrophe {
            if peek(1) == apostrophe, peek(2) == apostrophe { throw fail("a key cannot be a multi-line string") }
            try literalString()
        } else if isBareKeyCharacter(byte) {
            while let next = current, isBareKeyCharacter(next) { advance() }
        } else {
            var end = position
            while end < bytes.count, !Self.endsWord(bytes[end]) { end += 1 }
            guard end > position else { throw fail("expected a key, found \(found())") }
            let word = printable(String(decoding: bytes[position..<end].prefix(40), as: UTF8.self))
            throw fail("\"\(word)\" is not a valid key: use letters, digits, _ and -, or quotes")
        }
    }

    /// `key = value`.
    mutating func keyValue() throws(Problem) {
        try key()
        guard current == UInt8(ascii: "=") else { throw fail("expected = after the key, found \(found())") }
        advance()
        skipSpaces()
        try value()
    }

    // MARK: Values

    mutating func value() throws(Problem) {
        depth += 1
        defer { depth -= 1 }
        guard depth <= TOMLSyntaxGuard.maxDepth else {
            throw fail("values nested more than \(TOMLSyntaxGuard.maxDepth) deep")
        }
        switch current {
        case quote:
            if peek(1) == quote, peek(2) == quote { try multiLineBasicString() } else { try basicString() }
        case apostrophe:
            if peek(1) == apostrophe, peek(2) == apostrophe { try multiLineLiteralString() } else { try literalString() }
        case UInt8(ascii: "["):
            try array()
        case UInt8(ascii: "{"):
            try inlineTable()
        default:
            try bareValue()
        }
    }

    /// `[ value, value, ]` over any number of lines, with comments.
    mutating func array() throws(Problem) {
        advance()
        while true {
            try skipBlank()
            if current == UInt8(ascii: "]") {
                advance()
                return
            }
            if current == nil { throw fail("an array without its closing ]") }
            try value()
            try skipBlank()
            switch current {
            case UInt8(ascii: ","): advance()
            case UInt8(ascii: "]"):
                advance()
                return
            case nil: throw fail("an array without its closing ]")
            default: throw fail("expected , or ] after a value in the array, found \(found())")
            }
        }
    }

    /// `{ key = value, key = value }` on one line (values inside may span lines), no comma after the last.
    mutating func inlineTable() throws(Problem) {
        advance()
        skipSpaces()
        if current == UInt8(ascii: "}") {
            advance()
            return
        }
        while true {
            guard let byte = current, isKeyStart(byte) else {
                throw fail("expected a key in the inline table, found \(found())")
            }
            try keyValue()
            skipSpaces()
            switch current {
            case UInt8(ascii: ","):
                advance()
                skipSpaces()
            case UInt8(ascii: "}"):
                advance()
                return
            default:
                throw fail("expected , or } in the inline table (it must stay on one line), found \(found())")
            }
        }
    }

    /// A number, a boolean, a date or a time: the characters up to the end of the value, checked by their grammar.
    mutating func bareValue() throws(Problem) {
        let start = position
        while let byte = current, !isValueTerminator(byte) { advance() }
        // A date and a time may be separated by a space: `1979-05-27 07:32:00`.
        if isFullDate(bytes[start..<position]), current == space, let next = peek(1), isDigit(next) {
            advance()
            while let byte = current, !isValueTerminator(byte) { advance() }
        }
        let token = bytes[start..<position]
        guard !token.isEmpty else { throw fail("expected a value, found \(found())", at: start) }
        guard !Self.isValidBareValue(token) else { return }
        let shown = printable(String(decoding: token.prefix(40), as: UTF8.self))
        throw fail("\"\(shown)\" is not a valid value: text needs quotes, numbers and dates their TOML form", at: start)
    }

    // MARK: Strings

    /// `"..."` on one line, with escapes.
    mutating func basicString() throws(Problem) {
        advance()
        while true {
            guard let byte = current, byte != lineFeed, byte != carriageReturn else {
                throw fail("a string without its closing \" on the same line")
            }
            switch byte {
            case quote:
                advance()
                return
            case backslash:
                try escape(multiLine: false)
            default:
                guard !isControl(byte) else { throw fail("\(found()) in a string: write it as an escape") }
                advance()
            }
        }
    }

    /// `"""..."""` over several lines, with escapes and line-ending backslashes.
    mutating func multiLineBasicString() throws(Problem) {
        let start = position
        advance(3)
        while true {
            guard let byte = current else {
                throw fail("a multi-line string without its closing \"\"\"", at: start)
            }
            switch byte {
            case quote:
                if try closesMultiLine(quote) { return }
            case backslash:
                try escape(multiLine: true)
            case lineFeed, carriageReturn:
                try newline()
            default:
                guard !isControl(byte) else { throw fail("\(found()) in a string: write it as an escape") }
                advance()
            }
        }
    }

    /// `'...'` on one line, no escapes.
    mutating func literalString() throws(Problem) {
        advance()
        while true {
            guard let byte = current, byte != lineFeed, byte != carriageReturn else {
                throw fail("a string without its closing ' on the same line")
            }
            if byte == apostrophe {
                advance()
                return
            }
            guard !isControl(byte) else { throw fail("\(found()) in a literal string") }
            advance()
        }
    }

    /// `'''...'''` over several lines, no escapes.
    mutating func multiLineLiteralString() throws(Problem) {
        let start = position
        advance(3)
        while true {
            guard let byte = current else { throw fail("a multi-line string without its closing '''", at: start) }
            switch byte {
            case apostrophe:
                if try closesMultiLine(apostrophe) { return }
            case lineFeed, carriageReturn:
                try newline()
            default:
                guard !isControl(byte) else { throw fail("\(found()) in a literal string") }
                advance()
            }
        }
    }

    /// At a run of delimiters inside a multi-line string: one or two are text, three to five close it
    /// (the first one or two being text), six or more are an error.
    mutating func closesMultiLine(_ delimiter: UInt8) throws(Problem) -> Bool {
        var count = 0
        while peek(count) == delimiter { count += 1 }
        guard count <= 5 else {
            throw fail("\(count) quotes in a row in a multi-line string: escape them or use the other kind of string")
        }
        advance(count)
        return count >= 3
    }

    /// After a backslash in a basic string.
    mutating func escape(multiLine: Bool) throws(Problem) {
        advance()
        guard let byte = current else { throw fail("a string without its closing \"") }
        switch byte {
        case UInt8(ascii: "b"), UInt8(ascii: "t"), UInt8(ascii: "n"), UInt8(ascii: "f"), UInt8(ascii: "r"), quote,
            backslash:
            advance()
        case UInt8(ascii: "u"), UInt8(ascii: "U"):
            let digits = byte == UInt8(ascii: "u") ? 4 : 8
            var value: UInt32 = 0
            for offset in 1...digits {
                guard let digit = peek(offset).flatMap(hexValue) else {
                    throw fail("\\\(Character(Unicode.Scalar(byte))) needs \(digits) hexadecimal digits")
                }
                value = value << 4 | digit
            }
            guard Unicode.Scalar(value) != nil else {
                throw fail("\\\(Character(Unicode.Scalar(byte)))\(String(value, radix: 16, uppercase: true)) is not a Unicode character")
            }
            advance(1 + digits)
        case space, tab, lineFeed, carriageReturn:
            // A line-ending backslash: it, the rest of the line and the blanks that follow are left out.
            guard multiLine else {
                throw fail("a backslash before a blank in a one-line string (write \\\\ for a backslash)")
            }
            skipSpaces()
            guard current == lineFeed || current == carriageReturn else {
                throw fail("a \\ that ends a line must be the last thing on it, found \(found())")
            }
            while true {
                skipSpaces()
                guard current == lineFeed || current == carriageReturn else { break }
                try newline()
            }
        default:
            throw fail("unknown escape \\\(printable(found(bare: true))) in a string (use \\\\ for a backslash)")
        }
    }

    // MARK: Errors

    func line(at offset: Int) -> Int {
        var line = 1
        for byte in bytes[..<min(offset, bytes.count)] where byte == lineFeed { line += 1 }
        return line
    }

    func fail(_ reason: String, at offset: Int? = nil) -> Problem {
        Problem(line: line(at: offset ?? position), reason: reason)
    }

    /// What stands at the current position, for a message: `'}'`, `the end of the line`, `U+2028`.
    func found(bare: Bool = false) -> String {
        guard let byte = current else { return "the end of the file" }
        switch byte {
        case lineFeed, carriageReturn: return "the end of the line"
        case tab: return "a tab"
        case _ where isControl(byte): return "control character U+\(hex(UInt32(byte)))"
        case _ where byte < 0x80:
            return bare ? String(Unicode.Scalar(byte)) : "'\(Unicode.Scalar(byte))'"
        default:
            var iterator = bytes[position...].makeIterator()
            var decoder = UTF8()
            guard case .scalarValue(let scalar) = decoder.decode(&iterator) else { return "a byte that is not UTF-8" }
            return isPrintable(scalar) ? "'\(scalar)' (U+\(hex(scalar.value)))" : "U+\(hex(scalar.value))"
        }
    }

    private static func endsWord(_ byte: UInt8) -> Bool {
        byte <= space || byte == 0x7F || "[]{}=.,#\"'".utf8.contains(byte)
    }

    // MARK: The grammar of bare values

    /// true, false, an integer, a float, inf, nan, a date, a time or a date-time.
    static func isValidBareValue(_ token: ArraySlice<UInt8>) -> Bool {
        let text = String(decoding: token, as: UTF8.self)
        if text == "true" || text == "false" { return true }
        return isInteger(token) || isFloat(token) || isDateTime(token)
    }

    /// `+1_000`, `0`, `0x_dead_beef` excepted: `0xDEAD_BEEF`, `0o755`, `0b1010`.
    static func isInteger(_ token: ArraySlice<UInt8>) -> Bool {
        var rest = token
        if rest.count > 2, rest.first == UInt8(ascii: "0") {
            let base = rest.dropFirst().first
            let digit: ((UInt8) -> Bool)? =
                switch base {
                case UInt8(ascii: "x"): { hexValue($0) != nil }
                case UInt8(ascii: "o"): { (UInt8(ascii: "0")...UInt8(ascii: "7")).contains($0) }
                case UInt8(ascii: "b"): { $0 == UInt8(ascii: "0") || $0 == UInt8(ascii: "1") }
                default: nil
                }
            if let digit { return digitRun(rest.dropFirst(2), digit) }
        }
        if rest.first == UInt8(ascii: "+") || rest.first == UInt8(ascii: "-") { rest = rest.dropFirst() }
        return isUnsignedDecimal(rest)
    }

    /// `0`, or digits without a leading zero, `_` only between digits.
    static func isUnsignedDecimal(_ token: ArraySlice<UInt8>) -> Bool {
        if token.count == 1, token.first == UInt8(ascii: "0") { return true }
        return token.first != UInt8(ascii: "0") && digitRun(token, isDigit)
    }

    /// `3.14`, `-0.01`, `5e+22`, `6.626e-34`, `1_000.5`, `inf`, `-nan`.
    static func isFloat(_ token: ArraySlice<UInt8>) -> Bool {
        var rest = token
        if rest.first == UInt8(ascii: "+") || rest.first == UInt8(ascii: "-") { rest = rest.dropFirst() }
        if rest.elementsEqual("inf".utf8) || rest.elementsEqual("nan".utf8) { return true }
        let exponent = rest.firstIndex { $0 == UInt8(ascii: "e") || $0 == UInt8(ascii: "E") }
        let mantissa = rest[..<(exponent ?? rest.endIndex)]
        let dot = mantissa.firstIndex(of: UInt8(ascii: "."))
        guard isUnsignedDecimal(mantissa[..<(dot ?? mantissa.endIndex)]) else { return false }
        if let dot, !digitRun(mantissa[(dot + 1)...], isDigit) { return false }
        if let exponent {
            var power = rest[(exponent + 1)...]
            if power.first == UInt8(ascii: "+") || power.first == UInt8(ascii: "-") { power = power.dropFirst() }
            guard digitRun(power, isDigit) else { return false }
        }
        return dot != nil || exponent != nil
    }

    /// One or more digits, `_` only between two of them.
    static func digitRun(_ token: ArraySlice<UInt8>, _ isDigit: (UInt8) -> Bool) -> Bool {
        guard let first = token.first, let last = token.last, isDigit(first), isDigit(last) else { return false }
        var previousWasUnderscore = false
        for byte in token {
            if byte == UInt8(ascii: "_") {
                if previousWasUnderscore { return false }
                previousWasUnderscore = true
            } else if isDigit(byte) {
                previousWasUnderscore = false
            } else {
                return false
            }
        }
        return true
    }

    /// `1979-05-27`, `07:32:00`, `07:32:00.999`, `1979-05-27T07:32:00`, `1979-05-27 07:32:00Z`,
    /// `1979-05-27t07:32:00.5-07:00`. Ranges (month 13, hour 25) are left to toml++, which refuses them.
    static func isDateTime(_ token: ArraySlice<UInt8>) -> Bool {
        if isFullDate(token) || isPartialTime(token) { return true }
        guard token.count > 11, isFullDate(token.prefix(10)) else { return false }
        let separator = token[token.startIndex + 10]
        guard separator == UInt8(ascii: "T") || separator == UInt8(ascii: "t") || separator == space else { return false }
        let time = token.dropFirst(11)
        let zone = time.firstIndex { "Zz+-".utf8.contains($0) } ?? time.endIndex
        guard isPartialTime(time[..<zone]) else { return false }
        let offset = time[zone...]
        if offset.isEmpty { return true }
        if offset.count == 1 { return offset.first == UInt8(ascii: "Z") || offset.first == UInt8(ascii: "z") }
        return offset.count == 6 && matches(offset.dropFirst(), "dd:dd")
    }

    /// `HH:MM:SS` with an optional fraction.
    static func isPartialTime(_ token: ArraySlice<UInt8>) -> Bool {
        guard token.count >= 8, matches(token.prefix(8), "dd:dd:dd") else { return false }
        let fraction = token.dropFirst(8)
        return fraction.isEmpty || (fraction.first == UInt8(ascii: ".") && fraction.count > 1 && fraction.dropFirst().allSatisfy(isDigit))
    }
}

/// `YYYY-MM-DD` by its shape.
private func isFullDate(_ token: ArraySlice<UInt8>) -> Bool {
    matches(token, "dddd-dd-dd")
}

/// Whether `token` has the shape of `pattern`, where `d` stands for a digit and any other character for itself.
private func matches(_ token: ArraySlice<UInt8>, _ pattern: String) -> Bool {
    token.count == pattern.utf8.count
        && zip(token, pattern.utf8).allSatisfy { byte, shape in shape == UInt8(ascii: "d") ? isDigit(byte) : byte == shape }
}

private func isDigit(_ byte: UInt8) -> Bool {
    (UInt8(ascii: "0")...UInt8(ascii: "9")).contains(byte)
}

private func hexValue(_ byte: UInt8) -> UInt32? {
    switch byte {
    case UInt8(ascii: "0")...UInt8(ascii: "9"): UInt32(byte - UInt8(ascii: "0"))
    case UInt8(ascii: "a")...UInt8(ascii: "f"): UInt32(byte - UInt8(ascii: "a") + 10)
    case UInt8(ascii: "A")...UInt8(ascii: "F"): UInt32(byte - UInt8(ascii: "A") + 10)
    default: nil
    }
}

private func isBareKeyCharacter(_ byte: UInt8) -> Bool {
    isDigit(byte) || (UInt8(ascii: "a")...UInt8(ascii: "z")).contains(byte)
        || (UInt8(ascii: "A")...UInt8(ascii: "Z")).contains(byte) || byte == UInt8(ascii: "_")
        || byte == UInt8(ascii: "-")
}

private func isKeyStart(_ byte: UInt8) -> Bool {
    isBareKeyCharacter(byte) || byte == quote || byte == apostrophe
}

/// Control characters TOML refuses outside escapes: all but the tab.
private func isControl(_ byte: UInt8) -> Bool {
    (byte < 0x20 && byte != tab) || byte == 0x7F
}

/// Where a bare value ends: a blank, a line break, a comma, a closing bracket or brace, a comment.
private func isValueTerminator(_ byte: UInt8) -> Bool {
    byte == space || byte == tab || byte == lineFeed || byte == carriageReturn || byte == UInt8(ascii: ",")
        || byte == UInt8(ascii: "]") || byte == UInt8(ascii: "}") || byte == UInt8(ascii: "#")
}

private func hex(_ value: UInt32) -> String {
    let digits = String(value, radix: 16, uppercase: true)
    return String(repeating: "0", count: max(0, 4 - digits.count)) + digits
}

private func isPrintable(_ scalar: Unicode.Scalar) -> Bool {
    switch scalar.properties.generalCategory {
    case .control, .format, .lineSeparator, .paragraphSeparator, .spaceSeparator, .surrogate, .privateUse,
        .unassigned:
        false
    default: true
    }
}

/// `text` with every character that could break the message's line, or hide, written as `\u{...}`.
func printable(_ text: String) -> String {
    var result = ""
    for scalar in text.unicodeScalars {
        if scalar.isASCII ? (scalar.value >= 0x20 && scalar.value != 0x7F) : isPrintable(scalar) {
            result.unicodeScalars.append(scalar)
        } else {
            result += "\\u{\(hex(scalar.value))}"
        }
    }
    return result
}
