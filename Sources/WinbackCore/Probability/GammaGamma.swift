#if canImport(Glibc)
    import Glibc
#elseif canImport(Musl)
    import Musl
#elseif canImport(Darwin)
    import Darwin
#endif

/// The Gamma-Gamma model of spend per purchase (Fader, Hardie and Lee 2005, "RFM and CLV"): a client's
/// purchase values are Gamma(p, ν) with ν ~ Gamma(q, γ) across clients. Fitted on clients with repeat
/// purchases and a positive mean value; it shrinks a client's own mean towards the population's.
public struct GammaGammaModel: Sendable, Equatable {
    public var p: Double
    public var q: Double
    public var v: Double

    public init(p: Double, q: Double, v: Double) {
        self.p = p
        self.q = q
        self.v = v
    }

    /// One client: `x` repeat purchases with mean value `mean`.
    public struct Spend: Sendable, Hashable {
        public var x: Double
        public var mean: Double

        public init(x: Double, mean: Double) {
            self.x = x
            self.mean = mean
        }
    }

    public func logLikelihood(_ data: [Spend]) -> Double {
        let base = -SpecialFunctions.logGamma(q) + q * log(v)
        return data.reduce(0) { total, client in
            let px = p * client.x
            return total + base + SpecialFunctions.logGamma(px + q) - SpecialFunctions.logGamma(px)
                + (px - 1) * log(client.mean) + px * log(client.x) - (px + q) * log(client.x * client.mean + v)
        }
    }

    /// The expected value of the client's next purchase.
    public func expectedValue(_ client: Spend) -> Double {
        p * (v + client.x * client.mean) / (p * client.x + q - 1)
    }

    /// The population's mean purchase value (finite for q > 1).
    public var populationMean: Double { p * v / (q - 1) }

    public static func fit(_ data: [Spend]) -> (model: GammaGammaModel, logLikelihood: Double, converged: Bool) {
        let usable = data.filter { $0.x > 0 && $0.mean > 0 }
        guard usable.count >= 10 else { return (GammaGammaModel(p: 1, q: 2, v: 1), 0, false) }
        let meanValue = usable.reduce(0) { $0 + $1.mean } / Double(usable.count)
        let result = Minimizer().minimize(
            { theta in -GammaGammaModel(p: exp(theta[0]), q: exp(theta[1]), v: exp(theta[2])).logLikelihood(usable) },
            from: [0, log(2), log(max(meanValue, 1e-6))])
        let model = GammaGammaModel(p: exp(result.point[0]), q: exp(result.point[1]), v: exp(result.point[2]))
        return (model, -result.value, result.converged && model.q > 1)
    }
}
