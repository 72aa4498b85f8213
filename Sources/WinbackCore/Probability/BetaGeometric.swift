#if canImport(Glibc)
    import Glibc
#elseif canImport(Musl)
    import Musl
#elseif canImport(Darwin)
    import Darwin
#endif

/// One client's purchase history as the buy-till-you-die models see it.
public struct RepeatSummary: Sendable, Equatable {
    /// Repeat purchases: purchase days after the first.
    public var x: Double
    /// Recency: time from the first purchase to the last.
    public var tx: Double
    /// Age: time from the first purchase to the end of the calibration period.
    public var T: Double

    public init(x: Double, tx: Double, T: Double) {
        self.x = x
        self.tx = tx
        self.T = T
    }

    /// The summary of `count` purchase days from `first` to `last`, seen on `asOf`, in days; nil without a purchase.
    public init?(first: Day?, last: Day?, count: Int, asOf: Day) {
        guard let first, let last, count > 0, first <= asOf else { return nil }
        x = Double(count - 1)
        tx = Double(first.days(to: last))
        T = Double(first.days(to: asOf))
    }
}

/// The BG/NBD model of Fader, Hardie and Lee (2005), "Counting Your Customers the Easy Way", and its
/// MBG/NBD variant (Batislam, Denizel and Filiztekin, 2007).
///
/// While alive a client buys as a Poisson process with rate λ ~ Gamma(r, α); after any purchase it drops
/// out with probability p ~ Beta(a, b). In the BG/NBD a client can drop out only after a repeat purchase,
/// so one that never bought again is "alive" with probability 1 however long it has been silent; the
/// MBG/NBD lets it drop out at the first purchase too, so its probability of being alive falls with its
/// silence. winback fits both: the BG/NBD to compare with the literature, the MBG/NBD for what users see.
public struct BetaGeometricModel: Sendable, Equatable {
    public enum Variant: String, Sendable, Codable, CaseIterable {
        case bgnbd
        case mbgnbd
    }

    public var variant: Variant
    public var r: Double
    /// In the time unit of the data it was fitted on (days for winback's scans).
    public var alpha: Double
    public var a: Double
    public var b: Double

    public init(variant: Variant, r: Double, alpha: Double, a: Double, b: Double) {
        self.variant = variant
        self.r = r
        self.alpha = alpha
        self.a = a
        self.b = b
    }

    /// The log-likelihood of the summaries (weights: how many clients share each summary).
    public func logLikelihood(_ data: [RepeatSummary], weights: [Double]? = nil) -> Double {
        let shift = variant == .mbgnbd ? 1.0 : 0.0
        let base = r * log(alpha) - SpecialFunctions.logGamma(r) + SpecialFunctions.logGamma(a + b)
            - SpecialFunctions.logGamma(b)
        let logA = log(a)
        var cache: [Double: (Double, Double, Double)] = [:]
        var total = 0.0
        for (index, client) in data.enumerated() {
            let x = client.x
            let gammas: (Double, Double, Double)
            if let cached = cache[x] {
                gammas = cached
            } else {
                gammas = (
                    SpecialFunctions.logGamma(r + x), SpecialFunctions.logGamma(b + x + shift),
                    SpecialFunctions.logGamma(a + b + x + shift)
                )
                cache[x] = gammas
            }
            let a1a2 = base + gammas.0 + gammas.1 - gammas.2
            let a3 = -(r + x) * log(alpha + client.T)
            var ll = a1a2 + a3
            if x > 0 || variant == .mbgnbd {
                let a4 = logA - log(b + x - 1 + shift) - (r + x) * log(alpha + client.tx)
                ll = a1a2 + SpecialFunctions.logAddExp(a3, a4)
            }
            total += ll * (weights?[index] ?? 1)
        }
        return total
    }

    /// The probability that the client is still alive at the end of its age `T`.
    public func probabilityAlive(_ client: RepeatSummary) -> Double {
        let x = client.x
        switch variant {
        case .bgnbd:
            guard x > 0 else { return 1 }
            let logRatio = log(a) - log(b + x - 1) + (r + x) * (log(alpha + client.T) - log(alpha + client.tx))
            return 1 / (1 + exp(logRatio))
        case .mbgnbd:
            let logRatio = log(a) - log(b + x) + (r + x) * (log(alpha + client.T) - log(alpha + client.tx))
            return 1 / (1 + exp(logRatio))
        }
    }

    /// The expected number of purchases in the next `t` time units, given the client's history.
    public func expectedPurchases(_ t: Double, given client: RepeatSummary) -> Double {
        let x = client.x
        let z = t / (alpha + client.T + t)
        let decay = exp((r + x) * (log(alpha + client.T) - log(alpha + client.T + t)))
        switch variant {
        case .bgnbd:
            let hyper = SpecialFunctions.hypergeometric2F1(r + x, b + x, a + b + x - 1, z)
            let numerator = (a + b + x - 1) / (a - 1) * (1 - decay * hyper)
            return numerator * probabilityAlive(client)
        case .mbgnbd:
            let hyper = SpecialFunctions.hypergeometric2F1(r + x, b + x + 1, a + b + x, z)
            let numerator = (a + b + x) / (a - 1) * (1 - decay * hyper)
            return numerator * probabilityAlive(client)
        }
    }

    /// The result of a fit: the parameters, the log-likelihood, and whether the optimiser converged.
    public struct Fit: Sendable, Equatable {
        public var model: BetaGeometricModel
        public var logLikelihood: Double
        public var clients: Int
        public var iterations: Int
        public var converged: Bool

        public init(model: BetaGeometricModel, logLikelihood: Double, clients: Int, iterations: Int, converged: Bool) {
            self.model = model
            self.logLikelihood = logLikelihood
            self.clients = clients
            self.iterations = iterations
            self.converged = converged
        }
    }

    /// Maximum-likelihood fit over all clients, on the logarithms of the parameters.
    ///
    /// Identical summaries are weighted rather than repeated. Starting values: r = 1, α = the mean age over
    /// the mean number of purchases (a typical gap), a = b = 1.
    public static func fit(_ data: [RepeatSummary], variant: Variant) -> Fit {
        var counts: [RepeatSummary: Double] = [:]
        for client in data { counts[client, default: 0] += 1 }
        // In a fixed order: a dictionary's order changes from run to run, and with it the floating-point sum the
        // search follows, which on a flat likelihood ended in different parameters each run.
        let unique = counts.keys.sorted { ($0.x, $0.tx, $0.T) < ($1.x, $1.tx, $1.T) }
        let weights = unique.map { counts[$0]! }
        let meanT = data.reduce(0) { $0 + $1.T } / Double(max(data.count, 1))
        let meanX = data.reduce(0) { $0 + $1.x } / Double(max(data.count, 1))
        let start = [0.0, log(max(meanT / max(meanX + 1, 1), 1e-3)), 0.0, 0.0]
        let result = Minimizer().minimize(
            { theta in
                let model = BetaGeometricModel(
                    variant: variant, r: exp(theta[0]), alpha: exp(theta[1]), a: exp(theta[2]), b: exp(theta[3]))
                return -model.logLikelihood(unique, weights: weights)
            }, from: start)
        let p = result.point
        let model = BetaGeometricModel(variant: variant, r: exp(p[0]), alpha: exp(p[1]), a: exp(p[2]), b: exp(p[3]))
        let sane = [model.r, model.alpha, model.a, model.b].allSatisfy { $0.isFinite && $0 > 0 }
        return Fit(
            model: model, logLikelihood: -result.value, clients: data.count, iterations: result.iterations,
            converged: result.converged && sane)
    }
}

extension RepeatSummary: Hashable {}
