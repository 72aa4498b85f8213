#if canImport(Glibc)
    import Glibc
#elseif canImport(Musl)
    import Musl
#elseif canImport(Darwin)
    import Darwin
#endif

/// The chance that a client has stopped buying: after each purchase a client drops out with a probability p of its
/// own, spread over the book as Beta(a, b), and a client still buying is as silent as its gap distribution says.
///
/// With n purchases (so n − 1 chances to drop out survived) and a silence that a buying client exceeds with
/// probability S, Bayes gives the odds of being gone as (a / (b + n − 1)) / S: a client called lost (S tiny) has a
/// P(alive) near 0, and one with a high P(alive) is not that silent. a and b are fitted on the whole book by
/// maximum likelihood, Σ log[B(a+1, b+n−1) + S·B(a, b+n)] − log B(a, b), with a weak log-normal prior that keeps
/// them finite when the book says little, from a fixed start, so that the same book gives the same fit.
public struct DropoutModel: Sendable, Equatable {
    public var a: Double
    public var b: Double

    public init(a: Double, b: Double) {
        self.a = a
        self.b = b
    }

    /// One client: its purchase count and ln S of its silence.
    public struct Client: Sendable {
        public var purchases: Int
        public var logSurvival: Double

        public init(purchases: Int, logSurvival: Double) {
            self.purchases = purchases
            self.logSurvival = logSurvival
        }
    }

    /// The fitted model, its log-likelihood and whether the search converged.
    public struct Fit: Sendable, Equatable {
        public var model: DropoutModel
        public var logLikelihood: Double
        public var iterations: Int
        public var converged: Bool
    }

    /// ln(a / (b + n − 1)): the log prior odds of having dropped out after the last of n purchases.
    func logDropOdds(purchases: Int) -> Double {
        log(a) - log(b + Double(max(purchases, 1)) - 1)
    }

    /// P(alive) for a client with `purchases` purchases whose silence has survival `exp(logSurvival)`.
    public func probabilityAlive(purchases: Int, logSurvival: Double) -> Double {
        let logOdds = logDropOdds(purchases: purchases) - logSurvival
        // 1 / (1 + odds), computed without overflow.
        return logOdds > 0 ? exp(-logOdds) / (1 + exp(-logOdds)) : 1 / (1 + exp(logOdds))
    }

    /// The client's log-likelihood contribution, up to the gap densities (which do not depend on a and b).
    func logLikelihood(_ client: Client) -> Double {
        let n = Double(max(client.purchases, 1))
        // ln B(a, b+n) − ln B(a, b) + ln(a/(b+n−1) + S)
        let lg = SpecialFunctions.logGamma
        let ratio = lg(b + n) - lg(a + b + n) - lg(b) + lg(a + b)
        let odds = log(a) - log(b + n - 1)
        return ratio + SpecialFunctions.logAddExp(odds, client.logSurvival)
    }

    /// The book as the fit sees it: clients grouped by purchase count, on which the gamma functions alone depend.
    struct Book {
        let groups: [(n: Double, logS: [Double])]

        init(_ clients: [Client]) {
            var groups: [Int: [Double]] = [:]
            for client in clients { groups[max(client.purchases, 1), default: []].append(client.logSurvival) }
            self.groups = groups.keys.sorted().map { (n: Double($0), logS: groups[$0]!) }
        }

        func logLikelihood(_ model: DropoutModel) -> Double {
            let lg = SpecialFunctions.logGamma
            var total = 0.0
            let (a, b) = (model.a, model.b)
            let base = lg(a + b) - lg(b)
            for group in groups {
                let ratio = lg(b + group.n) - lg(a + b + group.n) + base
                let odds = log(a) - log(b + group.n - 1)
                total += ratio * Double(group.logS.count)
                for logS in group.logS { total += SpecialFunctions.logAddExp(odds, logS) }
            }
            return total
        }

        /// The log-likelihood's derivatives in ln a and ln b. A client's ln(odds + S) moves with ln odds by the
        /// share odds / (odds + S).
        func gradient(_ model: DropoutModel) -> [Double] {
            let psi = SpecialFunctions.digamma
            let (a, b) = (model.a, model.b)
            var da = 0.0
            var db = 0.0
            for group in groups {
                let count = Double(group.logS.count)
                let odds = log(a) - log(b + group.n - 1)
                var share = 0.0
                for logS in group.logS {
                    let d = logS - odds
                    share += d < 0 ? 1 / (1 + exp(d)) : exp(-d) / (1 + exp(-d))
                }
                da += count * (psi(a + b) - psi(a + b + group.n)) + share / a
                db +=
                    count * (psi(b + group.n) - psi(a + b + group.n) + psi(a + b) - psi(b)) - share / (b + group.n - 1)
            }
            return [a * da, b * db]
        }
    }

    /// Fits a and b on every client of the book.
    public static func fit(_ clients: [Client]) -> Fit {
        let book = Book(clients)
        var minimizer = Minimizer()
        minimizer.bound = 12
        // The weak prior: ln a and ln b each normal around 0 with a spread of 3.
        func objective(_ x: [Double]) -> Double {
            -book.logLikelihood(DropoutModel(a: exp(x[0]), b: exp(x[1]))) + (x[0] * x[0] + x[1] * x[1]) / 18
        }
        func gradient(_ x: [Double]) -> [Double] {
            let g = book.gradient(DropoutModel(a: exp(x[0]), b: exp(x[1])))
            return [-g[0] + x[0] / 9, -g[1] + x[1] / 9]
        }
        let result = minimizer.minimize(objective, exactGradient: gradient, from: [0, log(10)])
        let model = DropoutModel(a: exp(result.point[0]), b: exp(result.point[1]))
        return Fit(
            model: model, logLikelihood: book.logLikelihood(model), iterations: result.iterations,
            converged: result.converged)
    }
}
