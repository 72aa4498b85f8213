import WinbackCSV

/// One bad line of a refused file: where, which column, and why.
public struct BadLine: Error, Sendable, Equatable, CustomStringConvertible {
    public var line: Int
    /// The canonical column name, or `row` or `header` for problems with the whole line.
    public var column: String
    public var reason: String

    public init(line: Int, column: String, reason: String) {
        self.line = line
        self.column = column
        self.reason = reason
    }

    public var description: String { "\(line): \(column): \(reason)" }
}

/// Why a file was not imported. Nothing of it was stored.
public enum ImportFailure: Error, Sendable, Equatable, CustomStringConvertible {
    /// The file could not be opened or read.
    case unreadable(path: String, reason: String)
    /// The file was read and refused: every bad line up to the listing limit, and how many more there were.
    case refused(path: String, problems: [BadLine], unlisted: Int)

    /// `FILE:LINE: column: reason`, one line per problem, then a count of the unlisted ones.
    public var description: String {
        switch self {
        case .unreadable(let path, let reason):
            return "\(path): cannot be read: \(reason)"
        case .refused(let path, let problems, let unlisted):
            var lines = problems.map { "\(path):\($0)" }
            if unlisted > 0 { lines.append("\(path): … and \(unlisted) more bad lines") }
            return lines.joined(separator: "\n")
        }
    }

    /// One line for logs and the summary: how many lines are bad.
    public var summary: String {
        switch self {
        case .unreadable: return description
        case .refused(let path, let problems, let unlisted):
            let total = problems.count + unlisted
            if total == 1, let only = problems.first { return "\(path):\(only)" }
            return "\(path): refused, \(total) bad lines; the first: line \(problems.first?.description ?? "?")"
        }
    }
}

extension BadLine {
    private static let notUTF8Start = "not UTF-8 text "

    /// A field whose bytes are not UTF-8: the file is in another encoding, and the reason names the setting that
    /// reads it. The import stops at the first one and the refusal says only this.
    static func notUTF8(line: Int, column: String, bytes: UnsafeBufferPointer<UInt8>) -> BadLine {
        var shown = ""
        for byte in bytes.prefix(48) {
            if byte >= 0x20 && byte < 0x7F && byte != UInt8(ascii: "\\") {
                shown.unicodeScalars.append(Unicode.Scalar(byte))
            } else {
                let hex = String(byte, radix: 16, uppercase: true)
                shown += "\\x" + (hex.count == 1 ? "0" + hex : hex)
            }
        }
        if bytes.count > 48 { shown += "…" }
        return BadLine(
            line: line, column: column,
            reason: notUTF8Start + "(\"\(shown)\"): if the file comes from Excel or an ERP in Western Europe, set "
                + "encoding = \"windows-1252\" under [import] in the config (or one of "
                + SingleByteEncoding.allCases.dropFirst().map { "\"\($0.rawValue)\"" }.joined(separator: ", ") + ")")
    }

    /// True for the refusal of a file that is not UTF-8.
    var isEncodingProblem: Bool { reason.hasPrefix(Self.notUTF8Start) }
}
