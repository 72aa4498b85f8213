/// A calendar day, without a time or a time zone: the unit every sale, contact and scan is dated in.
///
/// Stored as the number of days since 1970-01-01, so that differences between days are plain
/// subtraction and the database keeps one small integer per date. The conversions are the
/// proleptic Gregorian algorithms of Howard Hinnant's `chrono`-compatible date library.
public struct Day: Hashable, Comparable, Sendable {
    /// Days since 1970-01-01 (negative before it).
    public var number: Int32

    public init(number: Int32) {
        self.number = number
    }

    /// The day for a valid year, month and day of month, or `nil` if there is no such date.
    public init?(year: Int, month: Int, day: Int) {
        guard (1...9999).contains(year), (1...12).contains(month),
            day >= 1, day <= Day.daysInMonth(year: year, month: month)
        else { return nil }
        let y = month <= 2 ? year - 1 : year
        let era = (y >= 0 ? y : y - 399) / 400
        let yoe = y - era * 400
        let mp = (month + 9) % 12
        let doy = (153 * mp + 2) / 5 + day - 1
        let doe = yoe * 365 + yoe / 4 - yoe / 100 + doy
        self.number = Int32(era * 146_097 + doe - 719_468)
    }

    /// Year, month (1–12) and day of month (1–31).
    public var components: (year: Int, month: Int, day: Int) {
        let z = Int(number) + 719_468
        let era = (z >= 0 ? z : z - 146_096) / 146_097
        let doe = z - era * 146_097
        let yoe = (doe - doe / 1460 + doe / 36_524 - doe / 146_096) / 365
        let doy = doe - (365 * yoe + yoe / 4 - yoe / 100)
        let mp = (5 * doy + 2) / 153
        let d = doy - (153 * mp + 2) / 5 + 1
        let m = mp < 10 ? mp + 3 : mp - 9
        return (yoe + era * 400 + (m <= 2 ? 1 : 0), m, d)
    }

    public static func isLeapYear(_ year: Int) -> Bool {
        year % 4 == 0 && (year % 100 != 0 || year % 400 == 0)
    }

    public static func daysInMonth(year: Int, month: Int) -> Int {
        switch month {
        case 2: return isLeapYear(year) ? 29 : 28
        case 4, 6, 9, 11: return 30
        default: return 31
        }
    }

    public static func < (lhs: Day, rhs: Day) -> Bool { lhs.number < rhs.number }

    /// The day `days` later (earlier when negative).
    public func adding(days: Int) -> Day { Day(number: number + Int32(days)) }

    /// Whole days from `self` to `other` (positive when `other` is later).
    public func days(to other: Day) -> Int { Int(other.number) - Int(number) }

    /// The ISO weekday: 1 for Monday through 7 for Sunday (1970-01-01 was a Thursday).
    public var weekday: Int {
        let offset = (Int(number) + 3) % 7
        return (offset < 0 ? offset + 7 : offset) + 1
    }

    /// ISO 8601, `YYYY-MM-DD`.
    public var iso: String {
        let (y, m, d) = components
        guard (0...9999).contains(y) else {
            return String(y).leftPadded(to: 4) + "-" + String(m).leftPadded(to: 2) + "-" + String(d).leftPadded(to: 2)
        }
        // Ten ASCII digits and dashes written in place: a listing formats hundreds of thousands of days.
        return String(unsafeUninitializedCapacity: 10) { out in
            let zero = UInt8(ascii: "0")
            out[0] = zero + UInt8(y / 1000)
            out[1] = zero + UInt8(y / 100 % 10)
            out[2] = zero + UInt8(y / 10 % 10)
            out[3] = zero + UInt8(y % 10)
            out[4] = UInt8(ascii: "-")
            out[5] = zero + UInt8(m / 10)
            out[6] = zero + UInt8(m % 10)
            out[7] = UInt8(ascii: "-")
            out[8] = zero + UInt8(d / 10)
            out[9] = zero + UInt8(d % 10)
            return 10
        }
    }

    /// Parses exactly `YYYY-MM-DD`, the form used on the command line and in the config.
    public init?(iso text: some StringProtocol) {
        let parts = text.split(separator: "-", omittingEmptySubsequences: false)
        guard parts.count == 3, parts[0].count == 4, parts[1].count == 2, parts[2].count == 2,
            parts.allSatisfy({ $0.allSatisfy(\.isASCIIDigit) }),
            let y = Int(parts[0]), let m = Int(parts[1]), let d = Int(parts[2])
        else { return nil }
        self.init(year: y, month: m, day: d)
    }
}

extension Day: CustomStringConvertible {
    public var description: String { iso }
}

extension Day: Codable {
    public init(from decoder: any Decoder) throws {
        let container = try decoder.singleValueContainer()
        let text = try container.decode(String.self)
        guard let day = Day(iso: text) else {
            throw DecodingError.dataCorruptedError(in: container, debugDescription: "not a YYYY-MM-DD date: \(text)")
        }
        self = day
    }

    public func encode(to encoder: any Encoder) throws {
        var container = encoder.singleValueContainer()
        try container.encode(iso)
    }
}

extension Character {
    var isASCIIDigit: Bool { isASCII && isNumber }
}

extension String {
    /// The string padded on the left to `width` characters (with zeros by default): `"7"` → `"07"`.
    public func leftPadded(to width: Int, with pad: Character = "0") -> String {
        count >= width ? self : String(repeating: pad, count: width - count) + self
    }
}
