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
