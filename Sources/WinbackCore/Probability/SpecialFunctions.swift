#if canImport(Glibc)
    import Glibc
#elseif canImport(Musl)
    import Musl
#elseif canImport(Darwin)
    import Darwin
#endif

/// The special functions the buy-till-you-die models need, computed in log space where they overflow.
public enum SpecialFunctions {
    /// ln Γ(x) for x > 0, thread-safe (`lgamma_r`, not the global-sign `lgamma`).
    public static func logGamma(_ x: Double) -> Double {
        var sign: Int32 = 0
        return lgamma_r(x, &sign)
    }

    /// ln(e^a + e^b) without overflow.
    public static func logAddExp(_ a: Double, _ b: Double) -> Double {
        let high = max(a, b)
        guard high > -.infinity else { return -.infinity }
        return high + log1p(exp(min(a, b) - high))
    }

    /// The Gauss hypergeometric function ₂F₁(a, b; c; z) for 0 ≤ z < 1, by its series.
    ///
    /// The BG/NBD expectation only ever needs z = t / (α + T + t) in [0, 1); the terms are summed until
    /// they stop changing the sum in double precision (at most 100,000 terms, reached only for z very near 1).
    public static func hypergeometric2F1(_ a: Double, _ b: Double, _ c: Double, _ z: Double) -> Double {
        precondition(z >= 0 && z < 1, "₂F₁ is summed for 0 ≤ z < 1 only")
        var term = 1.0
        var sum = 1.0
        var n = 0.0
        while n < 100_000 {
            term *= (a + n) * (b + n) / ((c + n) * (n + 1)) * z
            sum += term
            if abs(term) <= 1e-16 * abs(sum) { break }
            n += 1
        }
        return sum
    }
}
