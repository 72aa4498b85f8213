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

    /// The spends as the fit sees them: the gamma functions depend on a client's repeat count alone, so they are
    /// summed per count (their difference by ``SpecialFunctions/logGammaRatio(_:_:)``). Each client's own terms,
    /// (px − 1)·ln m + px·ln x − (px + q)·ln(xm + v), are summed as −px·ln(1 + v/(xm)) − ln m − q·ln(xm + v): on a
    /// flat ridge p runs to millions, where the first form is a difference of huge numbers and the sum turns to
    /// rounding noise that the search would follow.
    struct Book {
        let clients: [Spend]
        let groups: [(x: Double, count: Double)]
        let sumLogMean: Double

        init(_ clients: [Spend]) {
            self.clients = clients
            var counts: [Double: Double] = [:]
            var sumLogMean = 0.0
            for client in clients {
                counts[client.x, default: 0] += 1
                sumLogMean += log(client.mean)
            }
            groups = counts.keys.sorted().map { (x: $0, count: counts[$0]!) }
            self.sumLogMean = sumLogMean
        }

        /// The same as ``GammaGammaModel/logLikelihood(_:)`` over the clients, summed without cancellation.
        func logLikelihood(_ model: GammaGammaModel) -> Double {
            let (p, q, v) = (model.p, model.q, model.v)
            var total = Double(clients.count) * (-SpecialFunctions.logGamma(q) + q * log(v)) - sumLogMean
            for group in groups { total += group.count * SpecialFunctions.logGammaRatio(p * group.x, q) }
            for client in clients {
                let spent = client.x * client.mean
                total -= p * client.x * log1p(v / spent) + q * log(spent + v)
            }
            return total
        }

        /// Its derivatives in ln p, ln q and ln v.
        func gradient(_ model: GammaGammaModel) -> [Double] {
            let psi = SpecialFunctions.digamma
            let (p, q, v) = (model.p, model.q, model.v)
            let n = Double(clients.count)
            var dp = 0.0
            var dq = n * (-psi(q) + log(v))
            var dv = n * q / v
            for group in groups {
                let up = psi(p * group.x + q)
                dp += group.count * group.x * (up - psi(p * group.x))
                dq += group.count * up
            }
            for client in clients {
                let spent = client.x * client.mean
                dp -= client.x * log1p(v / spent)
                dq -= log(spent + v)
                dv -= (p * client.x + q) / (spent + v)
            }
            return [p * dp, q * dq, v * dv]
        }
    }

    public static func fit(_ data: [Spend]) -> (model: GammaGammaModel, logLikelihood: Double, converged: Bool) {
        let usable = data.filter { $0.x > 0 && $0.mean > 0 }
        guard usable.count >= 10 else { return (GammaGammaModel(p: 1, q: 2, v: 1), 0, false) }
        let meanValue = usable.reduce(0) { $0 + $1.mean } / Double(usable.count)
        let book = Book(usable)
        func model(_ theta: [Double]) -> GammaGammaModel {
            GammaGammaModel(p: exp(theta[0]), q: exp(theta[1]), v: exp(theta[2]))
        }
        let result = Minimizer().minimize(
            { -book.logLikelihood(model($0)) }, exactGradient: { book.gradient(model($0)).map { -$0 } },
            from: [0, log(2), log(max(meanValue, 1e-6))])
        let fitted = model(result.point)
        return (fitted, -result.value, result.converged && fitted.q > 1)
    }
}
