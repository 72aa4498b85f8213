import WinbackCore

/// Reads the dates real exports print, by patterns such as `YYYY-MM-DD`, `D.M.YYYY` or `YYYYMMDD`.
///
/// Pattern letters: `YYYY` a four-digit year, `YY` a two-digit year (2000–2099), `MM` and `DD` two
/// digits, `M` and `D` one or two digits; anything else must appear as written. A time of day after
/// the date (`2024-03-05 14:30`, `2024-03-05T14:30:00Z`) is accepted and ignored.
public struct DateParser: Sendable {
    /// What every file accepts without configuration: ISO, the German/Russian dotted form, and compact ISO.
    public static let builtInPatterns = ["YYYY-MM-DD", "D.M.YYYY", "YYYYMMDD"]

    private let patterns: [[Token]]
    public let patternTexts: [String]

    /// The built-in patterns followed by `extraPatterns`, tried in that order.
    public init(extraPatterns: [String] = []) throws {
        patternTexts = DateParser.builtInPatterns + extraPatterns
        patterns = try patternTexts.map(DateParser.compile)
    }

    enum Token: Equatable, Sendable {
        case year4, year2, month(minDigits: Int), day(minDigits: Int), literal(UInt8)
    }

    /// Why a date pattern from the config is not usable.
    public struct PatternError: Error, CustomStringConvertible {
        public var pattern: String
        public var reason: String
        public var description: String { "date pattern \(quoted(pattern)): \(reason)" }
    }

    static func compile(_ pattern: String) throws -> [Token] {
        let bytes = Array(pattern.utf8)
        var tokens: [Token] = []
        var index = 0
        func run(of letter: UInt8) -> Int {
            var count = 0
            while index + count < bytes.count, bytes[index + count] == letter { count += 1 }
            return count
        }
        while index < bytes.count {
            let byte = bytes[index]
            let count = run(of: byte)
            switch (byte, count) {
            case (UInt8(ascii: "Y"), 4): tokens.append(.year4)
            case (UInt8(ascii: "Y"), 2): tokens.append(.year2)
            case (UInt8(ascii: "M"), 1...2): tokens.append(.month(minDigits: count))
            case (UInt8(ascii: "D"), 1...2): tokens.append(.day(minDigits: count))
            case (UInt8(ascii: "Y"), _), (UInt8(ascii: "M"), _), (UInt8(ascii: "D"), _):
                throw PatternError(pattern: pattern, reason: "\(count) × \(Character(Unicode.Scalar(byte))) is not a field")
            default:
                for _ in 0..<count { tokens.append(.literal(byte)) }
            }
            index += count
        }
        let fields = tokens.filter { !isLiteral($0) }
        guard fields.count == 3,
            fields.contains(where: { $0 == .year4 || $0 == .year2 }),
            fields.contains(where: { if case .month = $0 { return true } else { return false } }),
            fields.contains(where: { if case .day = $0 { return true } else { return false } })
        else {
            throw PatternError(pattern: pattern, reason: "needs one year (YYYY or YY), one month (MM or M) and one day (DD or D)")
        }
        return tokens
    }

    private static func isLiteral(_ token: Token) -> Bool {
        if case .literal = token { return true }
        return false
    }

    /// The day, or `nil` when no pattern matches or the date does not exist (31.02.2024).
    public func parse(_ bytes: UnsafeBufferPointer<UInt8>) -> Day? {
        var lower = 0
        var upper = bytes.count
        while lower < upper, bytes[lower] == UInt8(ascii: " ") { lower += 1 }
        while upper > lower, bytes[upper - 1] == UInt8(ascii: " ") { upper -= 1 }
        for pattern in patterns {
            if let day = match(pattern, bytes, lower, upper) { return day }
        }
        return nil
    }

    public func parse(_ text: String) -> Day? {
        var text = text
        return text.withUTF8 { parse($0) }
    }

    private func match(_ pattern: [Token], _ bytes: UnsafeBufferPointer<UInt8>, _ lower: Int, _ upper: Int) -> Day? {
        var pos = lower
        var year = 0
        var month = 0
        var day = 0
        func digits(min: Int, max: Int) -> Int? {
            var value = 0
            var count = 0
            while count < max, pos < upper, bytes[pos] >= UInt8(ascii: "0"), bytes[pos] <= UInt8(ascii: "9") {
                value = value * 10 + Int(bytes[pos] - UInt8(ascii: "0"))
                pos += 1
                count += 1
            }
            return count >= min ? value : nil
        }
        for token in pattern {
            switch token {
            case .year4:
                guard let value = digits(min: 4, max: 4) else { return nil }
                year = value
            case .year2:
                guard let value = digits(min: 2, max: 2) else { return nil }
                year = 2000 + value
            case .month(let minDigits):
                guard let value = digits(min: minDigits, max: 2) else { return nil }
                month = value
            case .day(let minDigits):
                guard let value = digits(min: minDigits, max: 2) else { return nil }
                day = value
            case .literal(let byte):
                guard pos < upper, bytes[pos] == byte else { return nil }
                pos += 1
            }
        }
        if pos < upper {
            // A time of day may follow: a space or 'T', then a digit.
            guard bytes[pos] == UInt8(ascii: " ") || bytes[pos] == UInt8(ascii: "T"),
                pos + 1 < upper, bytes[pos + 1] >= UInt8(ascii: "0"), bytes[pos + 1] <= UInt8(ascii: "9")
            else { return nil }
        }
        return Day(year: year, month: month, day: day)
    }
}
