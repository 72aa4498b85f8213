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

    /// ln Γ(a + q) − ln Γ(a) for a, q > 0. For a large a the two are near 10¹² apart from a few dozen, and
    /// their difference in doubles keeps only its first few digits; there it is taken from Stirling's series,
    /// (a − ½)·ln(1 + q/a) + q·ln(a + q) − q + (1/(a + q) − 1/a)/12 − (1/(a + q)³ − 1/a³)/360, exact to double
    /// precision from a = 10⁴ on.
    public static func logGammaRatio(_ a: Double, _ q: Double) -> Double {
        guard a >= 1e4 else { return logGamma(a + q) - logGamma(a) }
        let b = a + q
        return (a - 0.5) * log1p(q / a) + q * log(b) - q + (1 / b - 1 / a) / 12
            - (1 / (b * b * b) - 1 / (a * a * a)) / 360
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

    /// ψ(x), the digamma function, for x > 0: recurrence up to 6, then the asymptotic series.
    public static func digamma(_ x: Double) -> Double {
        var x = x
        var result = 0.0
        while x < 6 {
            result -= 1 / x
            x += 1
        }
        let f = 1 / (x * x)
        result += log(x) - 0.5 / x
            - f * (1.0 / 12 - f * (1.0 / 120 - f * (1.0 / 252 - f * (1.0 / 240 - f / 132))))
        return result
    }

    /// ψ₁(x), the trigamma function, for x > 0: recurrence up to 6, then the asymptotic series.
    public static func trigamma(_ x: Double) -> Double {
        var x = x
        var result = 0.0
        while x < 6 {
            result += 1 / (x * x)
            x += 1
        }
        let f = 1 / (x * x)
        result += 1 / x + f / 2 + (1 / (x * x * x)) * (1.0 / 6 - f * (1.0 / 30 - f * (1.0 / 42 - f / 30)))
        return result
    }

    /// The x > 0 with ψ₁(x) = `value` (for value > 0), by Newton's method on 1/x.
    public static func inverseTrigamma(_ value: Double) -> Double {
        guard value > 0, value.isFinite else { return value > 0 ? 1e-8 : 1e8 }
        // Start from ψ₁(x) ≈ 1/x + 1/(2x²) for large x, 1/x² for small.
        var x = value >= 1e-6 ? 0.5 + 1 / value : 1 / value
        if value > 10 { x = 1 / value.squareRoot() }
        for _ in 0..<60 {
            let f = trigamma(x) - value
            // d/dx ψ₁(x) = ψ₂(x) ≈ -(1/x² + 1/x³ + 1/(2x⁴)), good enough for the step.
            let slope = -(1 / (x * x) + 1 / (x * x * x) + 1 / (2 * x * x * x * x))
            let next = x - f / slope
            let bounded = next > 0 ? next : x / 2
            if abs(bounded - x) <= 1e-12 * x { return bounded }
            x = bounded
        }
        return x
    }

    /// ln Q(a, x), the log of the upper regularized incomplete gamma function Γ(a, x)/Γ(a), for a > 0, x ≥ 0.
    ///
    /// The log keeps tail probabilities far below the smallest double meaningful ("less than once in 10⁴⁰ times").
    /// The series for P(a, x) below x < a + 1, Lentz's continued fraction for Q above (Numerical Recipes 6.2).
    public static func logUpperRegularizedGamma(_ a: Double, _ x: Double) -> Double {
        guard x > 0 else { return 0 }
        guard a > 0, a.isFinite, x.isFinite else { return x.isFinite ? 0 : -.infinity }
        let logPrefix = -x + a * log(x) - logGamma(a)
        if x < a + 1 {
            var term = 1 / a
            var sum = term
            var n = 1.0
            while n < 10_000 {
                term *= x / (a + n)
                sum += term
                if abs(term) < abs(sum) * 1e-16 { break }
                n += 1
            }
            let p = exp(logPrefix + log(sum))
            return p >= 1 ? -.infinity : log1p(-p)
        }
        let tiny = 1e-300
        var b = x + 1 - a
        var c = 1 / tiny
        var d = 1 / b
        var h = d
        var i = 1.0
        while i < 10_000 {
            let an = -i * (i - a)
            b += 2
            d = an * d + b
            if abs(d) < tiny { d = tiny }
            c = b + an / c
            if abs(c) < tiny { c = tiny }
            d = 1 / d
            let delta = d * c
            h *= delta
            if abs(delta - 1) < 1e-16 { break }
            i += 1
        }
        return logPrefix + log(h)
    }

    /// I_x(a, b), the regularized incomplete beta function, for a, b > 0 and 0 ≤ x ≤ 1: Lentz's continued fraction
    /// on the side where it converges fast (Numerical Recipes 6.4).
    public static func regularizedBeta(_ x: Double, _ a: Double, _ b: Double) -> Double {
        guard x > 0 else { return 0 }
        guard x < 1 else { return 1 }
        guard x <= (a + 1) / (a + b + 2) else { return 1 - regularizedBeta(1 - x, b, a) }
        let logFront = logGamma(a + b) - logGamma(a) - logGamma(b) + a * log(x) + b * log1p(-x)
        let tiny = 1e-300
        var c = 1.0
        var d = 1 - (a + b) * x / (a + 1)
        if abs(d) < tiny { d = tiny }
        d = 1 / d
        var h = d
        // One term of the fraction: Lentz's update of c and d, and the factor it multiplies h by.
        func term(_ coefficient: Double) -> Double {
            d = 1 + coefficient * d
            if abs(d) < tiny { d = tiny }
            c = 1 + coefficient / c
            if abs(c) < tiny { c = tiny }
            d = 1 / d
            return d * c
        }
        var m = 1.0
        while m < 10_000 {
            let m2 = 2 * m
            h *= term(m * (b - m) * x / ((a + m2 - 1) * (a + m2)))
            let delta = term(-(a + m) * (a + b + m) * x / ((a + m2) * (a + m2 + 1)))
            h *= delta
            if abs(delta - 1) < 1e-15 { break }
            m += 1
        }
        return exp(logFront) * h / a
    }

    /// P(T ≤ −t) for Student's t with `degrees` degrees of freedom, t ≥ 0.
    public static func studentLowerTail(_ t: Double, degrees: Double) -> Double {
        guard t.isFinite else { return t > 0 ? 0 : 0.5 }
        return 0.5 * regularizedBeta(degrees / (degrees + t * t), degrees / 2, 0.5)
    }
}
