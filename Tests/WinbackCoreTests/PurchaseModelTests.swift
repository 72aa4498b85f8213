import Testing
@testable import WinbackCore

@Suite("Purchase models")
struct PurchaseModelTests {
    let bg = BetaGeometricModel(variant: .bgnbd, r: 0.243, alpha: 4.414, a: 0.793, b: 2.426)
    let mbg = BetaGeometricModel(variant: .mbgnbd, r: 0.243, alpha: 4.414, a: 0.793, b: 2.426)

    @Test("the BG/NBD says 1 for a client without repeat purchases, however long its silence; the MBG/NBD does not")
    func oneTimeBuyers() {
        let recent = RepeatSummary(x: 0, tx: 0, T: 2)
        let old = RepeatSummary(x: 0, tx: 0, T: 39)
        #expect(bg.probabilityAlive(recent) == 1)
        #expect(bg.probabilityAlive(old) == 1)
        #expect(mbg.probabilityAlive(recent) < 1)
        #expect(mbg.probabilityAlive(old) < mbg.probabilityAlive(recent))
    }

    @Test("P(alive) falls with silence and rises with a recent purchase")
    func silence() {
        let buyer = RepeatSummary(x: 5, tx: 30, T: 32)
        let quiet = RepeatSummary(x: 5, tx: 10, T: 32)
        for model in [bg, mbg] {
            #expect(model.probabilityAlive(buyer) > 0.8)
            #expect(model.probabilityAlive(quiet) < model.probabilityAlive(buyer))
        }
    }

    @Test("expected purchases grow with the horizon and vanish with it")
    func expectedPurchases() {
        let client = RepeatSummary(x: 3, tx: 20, T: 30)
        let small = bg.expectedPurchases(0.001, given: client)
        let week = bg.expectedPurchases(1, given: client)
        let year = bg.expectedPurchases(52, given: client)
        #expect(small >= 0 && small < 0.01)
        #expect(week < year)
        // A client that bought three times in 20 weeks should be expected to buy a handful of times in a year.
        #expect(year > 1 && year < 10)
    }

    @Test("the fit recovers the parameters of data it generated")
    func recovery() {
        // Simulate the BG/NBD itself: gamma rates, beta drop-out, 52 weeks.
        var random = SystemRandomNumberGeneratorSeeded(seed: 7)
        var data: [RepeatSummary] = []
        let truth = (r: 0.8, alpha: 3.0, a: 0.6, b: 2.5)
        for _ in 0..<4000 {
            let lambda = random.gamma(shape: truth.r) / truth.alpha
            let p = random.beta(truth.a, truth.b)
            var t = 0.0
            var x = 0.0
            var tx = 0.0
            while true {
                t += random.exponential(rate: lambda)
                if t > 52 { break }
                x += 1
                tx = t
                if random.unit() < p { break }
            }
            data.append(RepeatSummary(x: x, tx: tx, T: 52))
        }
        let fit = BetaGeometricModel.fit(data, variant: .bgnbd)
        #expect(fit.converged)
        #expect(abs(fit.model.r / truth.r - 1) < 0.15, "\(fit.model)")
        #expect(abs(fit.model.alpha / truth.alpha - 1) < 0.2, "\(fit.model)")
        #expect(abs(fit.model.a / truth.a - 1) < 0.3, "\(fit.model)")
        #expect(abs(fit.model.b / truth.b - 1) < 0.4, "\(fit.model)")
    }

    @Test("Gamma-Gamma shrinks a client's own mean towards the population's")
    func gammaGamma() {
        let model = GammaGammaModel(p: 6.25, q: 3.74, v: 15.44)
        let population = model.populationMean
        let oneExpensive = model.expectedValue(.init(x: 1, mean: 200))
        let manyExpensive = model.expectedValue(.init(x: 20, mean: 200))
        #expect(oneExpensive > population && oneExpensive < 200)
        #expect(manyExpensive > oneExpensive && manyExpensive < 200)
    }

    @Test("₂F₁ matches closed forms")
    func hypergeometric() {
        // ₂F₁(1, 1; 2; z) = −ln(1 − z) / z
        for z in [0.1, 0.5, 0.9] {
            #expect(abs(SpecialFunctions.hypergeometric2F1(1, 1, 2, z) - (-log(1 - z) / z)) < 1e-10)
        }
        // ₂F₁(a, b; b; z) = (1 − z)^(−a)
        #expect(abs(SpecialFunctions.hypergeometric2F1(2.5, 3, 3, 0.3) - pow(0.7, -2.5)) < 1e-10)
    }
}

/// A seeded generator with the distributions the simulation needs (Marsaglia–Tsang gamma).
struct SystemRandomNumberGeneratorSeeded {
    private var state: UInt64

    init(seed: UInt64) { state = seed }

    mutating func next() -> UInt64 {
        state &+= 0x9E37_79B9_7F4A_7C15
        var z = state
        z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
        z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
        return z ^ (z >> 31)
    }

    mutating func unit() -> Double { Double(next() >> 11) * 0x1.0p-53 }

    mutating func normal() -> Double {
        (-2 * log(max(unit(), 1e-300))).squareRoot() * cos(2 * .pi * unit())
    }

    mutating func exponential(rate: Double) -> Double { -log(max(unit(), 1e-300)) / rate }

    mutating func gamma(shape: Double) -> Double {
        if shape < 1 { return gamma(shape: shape + 1) * pow(max(unit(), 1e-300), 1 / shape) }
        let d = shape - 1.0 / 3
        let c = 1 / (9 * d).squareRoot()
        while true {
            let x = normal()
            let v = pow(1 + c * x, 3)
            if v > 0, log(max(unit(), 1e-300)) < 0.5 * x * x + d - d * v + d * log(v) { return d * v }
        }
    }

    mutating func beta(_ a: Double, _ b: Double) -> Double {
        let x = gamma(shape: a)
        return x / (x + gamma(shape: b))
    }
}

#if canImport(Glibc)
    import Glibc
#endif

@Suite("Purchase model fits")
struct PurchaseModelFitTests {
    /// A central difference of `f` at `x` in each variable.
    static func numericGradient(_ f: ([Double]) -> Double, at x: [Double]) -> [Double] {
        x.indices.map { i in
            let h = 1e-6 * max(1, abs(x[i]))
            var up = x
            var down = x
            up[i] += h
            down[i] -= h
            return (f(up) - f(down)) / (2 * h)
        }
    }

    @Test("the dropout model's exact gradient is its likelihood's slope")
    func dropoutGradient() {
        var random = SystemRandomNumberGeneratorSeeded(seed: 7)
        let clients = (0..<500).map { index in
            DropoutModel.Client(
                purchases: 1 + index % 17, logSurvival: -Double(random.next() % 10_000) / 1_000)
        }
        let book = DropoutModel.Book(clients)
        for (a, b) in [(0.5, 3.0), (2.0, 40.0), (0.05, 0.7)] {
            let f = { (x: [Double]) in book.logLikelihood(DropoutModel(a: exp(x[0]), b: exp(x[1]))) }
            let x = [log(a), log(b)]
            let exact = book.gradient(DropoutModel(a: a, b: b))
            for (e, n) in zip(exact, Self.numericGradient(f, at: x)) {
                #expect(abs(e - n) <= 1e-5 * max(1, abs(n)), "\(exact) against \(n) at a \(a), b \(b)")
            }
        }
    }

    @Test("Gamma-Gamma's grouped likelihood is the per-client sum, and its exact gradient is its slope")
    func gammaGammaGradient() {
        var random = SystemRandomNumberGeneratorSeeded(seed: 9)
        let spends = (0..<400).map { index in
            GammaGammaModel.Spend(x: Double(1 + index % 12), mean: 5 + Double(random.next() % 50_000) / 100)
        }
        let book = GammaGammaModel.Book(spends)
        for model in [
            GammaGammaModel(p: 6.25, q: 3.74, v: 15.44), GammaGammaModel(p: 0.8, q: 12, v: 300),
            GammaGammaModel(p: 40, q: 1.5, v: 2),
        ] {
            let perClient = model.logLikelihood(spends)
            #expect(abs(book.logLikelihood(model) - perClient) <= 1e-10 * abs(perClient))
            let f = { (x: [Double]) in book.logLikelihood(GammaGammaModel(p: exp(x[0]), q: exp(x[1]), v: exp(x[2]))) }
            let exact = book.gradient(model)
            let numeric = Self.numericGradient(f, at: [log(model.p), log(model.q), log(model.v)])
            for (e, n) in zip(exact, numeric) {
                #expect(abs(e - n) <= 1e-5 * max(1, abs(n)), "\(exact) against \(numeric) for \(model)")
            }
        }
    }

    @Test("both fits recover the parameters they were generated with")
    func recover() {
        var random = SystemRandomNumberGeneratorSeeded(seed: 3)
        let truth = GammaGammaModel(p: 6, q: 4, v: 15)
        var spends: [GammaGammaModel.Spend] = []
        for index in 0..<3000 {
            let nu = random.gamma(shape: truth.q) / truth.v
            let x = 1 + index % 9
            let values = (0..<x).map { _ in random.gamma(shape: truth.p) / nu }
            spends.append(.init(x: Double(x), mean: values.reduce(0, +) / Double(x)))
        }
        let fit = GammaGammaModel.fit(spends)
        #expect(fit.converged)
        #expect(abs(fit.model.populationMean / truth.populationMean - 1) < 0.1, "\(fit.model)")
        #expect(abs(fit.model.p / truth.p - 1) < 0.25, "\(fit.model)")
    }
}

@Suite("Gamma-Gamma fit on a flat ridge")
struct GammaGammaRidgeTests {
    /// Spends whose values hardly vary within a client (the true p is large): the likelihood is flat along p·v.
    static func spends() -> [GammaGammaModel.Spend] {
        var random = SystemRandomNumberGeneratorSeeded(seed: 5)
        let truth = GammaGammaModel(p: 2_000, q: 2.1, v: 0.5)
        return (0..<1_500).map { index in
            let nu = random.gamma(shape: truth.q) / truth.v
            let x = 1 + index % 9
            // Each client always spends the same: the mean does not vary with the number of repeats.
            return .init(x: Double(x), mean: (truth.p / nu * 100).rounded() / 100)
        }
    }

    /// The per-client likelihood in 80-bit floats: at p = 7·10¹⁰ its terms are near 10¹², where a Double keeps only
    /// the fourth decimal of each and their sum is off by tenths.
    static func extended(_ model: GammaGammaModel, _ spends: [GammaGammaModel.Spend]) -> Double {
        let (p, q, v) = (Float80(model.p), Float80(model.q), Float80(model.v))
        var total: Float80 = 0
        for client in spends {
            let (x, mean) = (Float80(client.x), Float80(client.mean))
            let px = p * x
            total += -lgammal(q) + q * logl(v) + lgammal(px + q) - lgammal(px) + (px - 1) * logl(mean) + px * logl(x)
                - (px + q) * logl(x * mean + v)
        }
        return Double(total)
    }

    @Test(
        "at a large p the grouped likelihood is the per-client one, without the rounding noise a search would follow",
        .enabled(if: MemoryLayout<Float80>.size > 8))
    func groupedAtLargeP() {
        let spends = Self.spends()
        let book = GammaGammaModel.Book(spends)
        for model in [GammaGammaModel(p: 7e10, q: 2.09, v: 8.25e-9), GammaGammaModel(p: 1e6, q: 2.09, v: 5e-4)] {
            let exact = Self.extended(model, spends)
            #expect(abs(book.logLikelihood(model) - exact) < 1e-2, "\(model): \(book.logLikelihood(model)) against \(exact)")
        }
    }

    @Test("the fit stops on the ridge instead of running to its bound, and reports the likelihood where it stopped")
    func fitOnTheRidge() {
        let spends = Self.spends()
        let fit = GammaGammaModel.fit(spends)
        #expect(fit.model.p < 1e9, "\(fit.model)")
        #expect(abs(fit.logLikelihood - fit.model.logLikelihood(spends)) < 1e-3 * max(1, abs(fit.logLikelihood)))
    }
}

@Suite("Special functions at the edges")
struct SpecialFunctionEdgeTests {
    @Test("ln Γ(a + q) − ln Γ(a): against ln a + … + ln(a + q − 1) for whole q, the 80-bit difference for any q")
    func logGammaRatio() {
        for a in [0.3, 2.0, 9_999.0, 10_000.0, 3.7e5, 7e10, 6.3e11] {
            for q in [1.0, 2.0, 17.0] {
                let exact = Double((0..<Int(q)).reduce(Float80(0)) { $0 + logl(Float80(a) + Float80($1)) })
                let got = SpecialFunctions.logGammaRatio(a, q)
                #expect(abs(got - exact) <= 1e-10 * max(1, abs(exact)), "a \(a), q \(q): \(got) against \(exact)")
            }
            for q in [0.05, 2.09, 7.5] {
                // 80-bit lgamma keeps about 19 digits of a number near a·ln a: its difference is good to that.
                let exact = lgammal(Float80(a) + Float80(q)) - lgammal(Float80(a))
                let tolerance = 1e-10 * max(1, abs(Double(exact))) + 4e-19 * Double(lgammal(Float80(a) + Float80(q)))
                let got = SpecialFunctions.logGammaRatio(a, q)
                #expect(abs(got - Double(exact)) <= tolerance, "a \(a), q \(q): \(got) against \(exact)")
            }
        }
    }
}
