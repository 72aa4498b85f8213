/// An amount of the company currency held exactly, as a whole number of ten-thousandths.
///
/// Revenue and margin are summed over millions of lines; binary floating point would drift,
/// so amounts are fixed-point. Four decimal places keep every cent of an export and the
/// sub-cent prices some ERPs print, with room for ±922 trillion currency units.
///
/// A line may hold at most ``lineLimit`` (import refuses more), so no real book comes near the
/// room a sum has; sums still never trap: they saturate at ``max`` and ``min``, where
/// ``isSaturated`` tells that the true value lies beyond.
public struct Money: Hashable, Comparable, Sendable, AdditiveArithmetic {
    /// Ten-thousandths of the currency unit.
    public var scaled: Int64

    /// How many `scaled` units make one currency unit.
    public static let scale: Int64 = 10_000
    /// How many decimal places `scaled` keeps.
    public static let decimals = 4

    public static let zero = Money(scaled: 0)
    /// The largest and smallest amounts a sum can hold.
    public static let max = Money(scaled: .max)
    public static let min = Money(scaled: -Int64.max)
    /// The largest amount one line may carry, either sign: 100 billion currency units.
    public static let lineLimit = Money(units: 100_000_000_000)

    /// True at the ends of the range, where a sum stopped instead of overflowing.
    public var isSaturated: Bool { scaled >= Int64.max || scaled <= -Int64.max }

    public init(scaled: Int64) {
        self.scaled = scaled
    }

    /// Whole currency units, for tests and generated data.
    public init(units: Int64) {
        self.scaled = units * Money.scale
    }

    /// The nearest amount to a `Double`, for generated data and model output; never for parsing input. Beyond the
    /// range it is ``max`` or ``min``; not a number is zero.
    public init(approximately value: Double) {
        let scaled = (value * Double(Money.scale)).rounded()
        if scaled.isNaN {
            self.scaled = 0
        } else if scaled >= 9.2e18 {
            self.scaled = Int64.max
        } else if scaled <= -9.2e18 {
            self.scaled = -Int64.max
        } else {
            self.scaled = Int64(scaled)
        }
    }

    public var doubleValue: Double { Double(scaled) / Double(Money.scale) }

    public static func < (lhs: Money, rhs: Money) -> Bool { lhs.scaled < rhs.scaled }
    public static func + (lhs: Money, rhs: Money) -> Money { Money(scaled: saturating(lhs.scaled, rhs.scaled)) }
    public static func - (lhs: Money, rhs: Money) -> Money { Money(scaled: saturating(lhs.scaled, -rhs.scaled)) }
    public static prefix func - (value: Money) -> Money { Money(scaled: value.scaled == .min ? .max : -value.scaled) }

    /// `a + b`, held at ±`Int64.max` instead of overflowing (`b` is never `Int64.min`: see ``min``).
    public static func saturating(_ a: Int64, _ b: Int64) -> Int64 {
        let (sum, overflow) = a.addingReportingOverflow(b)
        if !overflow { return Swift.max(sum, -Int64.max) }
        return b > 0 ? Int64.max : -Int64.max
    }

    /// A plain decimal with at least `minimumDecimals` and at most four decimal places, `.` as the separator
    /// and no grouping: `1234.5` → `"1234.50"`. Exact; what JSON and CSV output carry.
    public func decimalString(minimumDecimals: Int = 2) -> String {
        let negative = scaled < 0
        let magnitude = scaled.magnitude
        let whole = magnitude / UInt64(Money.scale)
        var fraction = String(magnitude % UInt64(Money.scale)).leftPadded(to: Money.decimals)
        while fraction.count > minimumDecimals, fraction.last == "0" {
            fraction.removeLast()
        }
        let body = fraction.isEmpty ? String(whole) : "\(whole).\(fraction)"
        return negative ? "-" + body : body
    }

    /// Rounded half away from zero to `decimals` places, thousands grouped by commas: `12,345.60`. For terminal tables.
    public func formatted(decimals: Int = 2) -> String {
        let step = Int64(pow10(Money.decimals - decimals))
        var rounded = scaled / step
        let remainder = scaled % step
        if remainder.magnitude * 2 >= step.magnitude { rounded += scaled < 0 ? -1 : 1 }
        let negative = rounded < 0
        let magnitude = rounded.magnitude
        let unit = UInt64(pow10(decimals))
        let whole = String(magnitude / unit)
        var grouped = ""
        for (index, character) in whole.enumerated() {
            if index > 0, (whole.count - index) % 3 == 0 { grouped.append(",") }
            grouped.append(character)
        }
        let body = decimals > 0 ? grouped + "." + String(magnitude % unit).leftPadded(to: decimals) : grouped
        return negative ? "-" + body : body
    }
}

private func pow10(_ exponent: Int) -> Int64 {
    var result: Int64 = 1
    for _ in 0..<exponent { result *= 10 }
    return result
}

extension Money: CustomStringConvertible {
    public var description: String { decimalString() }
}
