#if canImport(Glibc)
    import Glibc
#elseif canImport(Musl)
    import Musl
#elseif canImport(Darwin)
    import Darwin
#endif

/// What the purchase model says about one client: the numbers its silence verdict comes from, and what follows.
public struct ModelView: Sendable, Equatable {
    /// The probability that the client is still buying.
    public var pAlive: Double
    /// The probability of at least one purchase within `horizon_days`.
    public var pBuy: Double
    /// How often a client still buying would be as silent as it is.
    public var silenceProbability: Double
    /// Its mean gap in working days and the variation of its gaps.
    public var meanGap: Double
    public var gapVariation: Double
    /// Expected purchase days in the next `horizon_days`.
    public var expectedPurchases: Double
    /// The expected value of its next purchase (Gamma-Gamma where it could be fitted, else its own mean).
    public var expectedValue: Money?
    /// The expected loss: its yearly value times the chance it is gone.
    public var valueAtRisk: Money
}

/// The fits of one scan.
public struct ModelFits: Sendable, Equatable {
    public var prior: GapPrior?
    public var dropout: DropoutModel.Fit?
    public var gammaGamma: (model: GammaGammaModel, logLikelihood: Double, converged: Bool)?

    public init(prior: GapPrior? = nil, dropout: DropoutModel.Fit? = nil) {
        self.prior = prior
        self.dropout = dropout
    }

    public static func == (lhs: ModelFits, rhs: ModelFits) -> Bool {
        lhs.prior == rhs.prior && lhs.dropout == rhs.dropout && lhs.gammaGamma?.model == rhs.gammaGamma?.model
    }
}

/// Judges every client's silence against its own gap distribution, and gives P(alive) and p_buy from the same
/// model: what needs the whole book, so it runs after every client was assessed on its own.
///
/// 1. The book's gap prior is learned from the clients' gaps; each client's fit is its own gaps shrunk toward it.
/// 2. Its silence gets its probability S: how often a client still buying is that silent. Below
///    `overdue.at_risk_probability` it is at risk, below `lost_probability` lost (`silence` for one-purchase clients).
/// 3. The dropout model is fitted on the whole book from everyone's S and purchase count; P(alive) = 1 / (1 + odds
///    of having dropped out / S), and p_buy = P(alive) × P(the next gap ends within the horizon | still buying). A
///    lost client therefore has a low P(alive), and a client with a high P(alive) is not lost.
/// The status is decided again with the silence finding.
public enum SilenceStage {
    /// A client's gap fit and the log-probability of its silence, with its facts as the silence was counted.
    struct Fitted: Sendable {
        var fit: GapFit
        var logS: Double
        var facts: ClientFacts
        var pause: Season?
    }

    /// `split` runs the per-client parts (each client's gap fit, then its verdict) in parts, on as many threads as
    /// the caller gives it: every client's numbers and verdict are the same either way.
    public static func apply(
        to assessments: inout [Assessment], previous: [StatusSince?], settings: ChurnSettings,
        split: ClientSplit = .serial
    ) -> (fits: ModelFits, views: [ModelView?]) {
        let gaps = assessments.compactMap(\.facts.gaps)
        let spends = assessments.compactMap { assessment -> GammaGammaModel.Spend? in
            guard let summary = assessment.facts.repeatSummary, summary.x > 0,
                let mean = assessment.facts.meanRepeatValue, mean > .zero
            else { return nil }
            return GammaGammaModel.Spend(x: summary.x, mean: mean.doubleValue)
        }
        // The book's gap prior and the spend model need each other's results no more than they need the clients':
        // learnt side by side.
        let (prior, gg) = split.both(
            { GapPrior.learn(gaps) }, { spends.count >= 20 ? GammaGammaModel.fit(spends) : nil })
        let bookPause = Season.common(assessments.compactMap(\.facts.season), clients: assessments.count)
        let fitted = split.map(assessments) { fit($0.facts, prior: prior, bookPause: bookPause, settings: settings) }
        // In the book's order, whatever the split: the dropout fit sums over them.
        let clients = fitted.compactMap { fitted in
            fitted.map { DropoutModel.Client(purchases: $0.facts.purchaseDays, logSurvival: $0.logS) }
        }
        let dropout = clients.isEmpty ? nil : DropoutModel.fit(clients)
        let views = split.update(&assessments) { index, assessment -> ModelView? in
            judge(
                &assessment, fitted[index], previous: previous[index], dropout: dropout?.model, gammaGamma: gg,
                settings: settings)
        }
        var fits = ModelFits(prior: prior, dropout: dropout)
        fits.gammaGamma = gg
        return (fits, views)
    }

    /// One client's gap fit and silence; nil for a client that never bought or has no silence to judge.
    static func fit(_ facts: ClientFacts, prior: GapPrior, bookPause: Season?, settings: ChurnSettings) -> Fitted? {
        var facts = facts
        guard let last = facts.lastPurchase, var silentTime = facts.silentTime else { return nil }
        // Too young to have shown its seasons, silent since the book's seasonal clients paused: presumed one of
        // them, its silence and horizon counted outside the pause only.
        var pause: Season?
        if let bookPause, facts.season == nil, let first = facts.firstPurchase,
            first > facts.asOf.adding(days: -365), bookPause.spans(silenceAfter: last, through: facts.asOf),
            let silent = facts.daysSilent, silent > 0
        {
            pause = bookPause
            silentTime *= Double(bookPause.daysOutside(after: last, through: facts.asOf)) / Double(silent)
            facts.silentTime = silentTime
            let horizon = settings.pAlive.horizonDays
            facts.horizonTime *=
                Double(bookPause.daysOutside(after: facts.asOf, through: facts.asOf.adding(days: horizon)))
                / Double(max(horizon, 1))
        }
        let fit = GapFit(facts.gaps, prior: prior)
        return Fitted(fit: fit, logS: fit.logSurvival(silentTime), facts: facts, pause: pause)
    }

    /// One client's silence finding, P(alive) and what follows from it, and its status decided again with them.
    static func judge(
        _ assessment: inout Assessment, _ fitted: Fitted?, previous: StatusSince?, dropout: DropoutModel?,
        gammaGamma gg: (model: GammaGammaModel, logLikelihood: Double, converged: Bool)?, settings: ChurnSettings
    ) -> ModelView? {
        guard let fitted else { return nil }
        let (fit, logS, facts) = (fitted.fit, fitted.logS, fitted.facts)
        var findings: [Finding] = []
        if let finding = Criteria.silence(
            facts, fit: fit, logSurvival: logS, settings: settings, presumedPause: fitted.pause)
        {
            findings.append(finding)
        }
        guard let model = dropout else {
            assessment.add(findings, previous: previous, settings: settings.status, numbers: settings.numbers)
            return nil
        }
        let pAlive = model.probabilityAlive(purchases: facts.purchaseDays, logSurvival: logS)
        let later = fit.logSurvival((facts.silentTime ?? 0) + facts.horizonTime)
        let nextWithin = max(0, min(1, 1 - exp(later - logS)))
        let pBuy = pAlive * nextWithin
        let expected = pAlive * max(nextWithin, facts.horizonTime / max(fit.meanGap, 1e-9))
        var value: Money?
        if let mean = facts.meanRepeatValue, let summary = facts.repeatSummary {
            value =
                gg.map {
                    $0.converged
                        ? Money(approximately: $0.model.expectedValue(.init(x: summary.x, mean: mean.doubleValue)))
                        : mean
                } ?? mean
        }
        let atRisk = Money(approximately: max(0, facts.yearlyValue.doubleValue) * (1 - pAlive))
        let view = ModelView(
            pAlive: pAlive, pBuy: pBuy, silenceProbability: exp(logS), meanGap: fit.meanGap,
            gapVariation: fit.variation, expectedPurchases: expected, expectedValue: value, valueAtRisk: atRisk)
        if settings.pAlive.enabled, pAlive < settings.pAlive.atRiskBelow {
            findings.append(
                Finding(
                    criterion: .pAlive, verdict: .atRisk,
                    numbers: [Measure("p_alive", pAlive), Measure("p_buy", pBuy)],
                    explanation:
                        "the purchase model gives it a \(percent(pAlive, signed: false)) chance of still buying and "
                        + "\(percent(pBuy, signed: false)) of buying within \(settings.pAlive.horizonDays) days"))
        }
        assessment.add(findings, previous: previous, settings: settings.status, numbers: settings.numbers)
        return view
    }
}

/// How a stage runs the same work for every client: in one pass here (Core starts no threads), or in parts at once
/// when the caller's `run` spreads them over threads. Each client's result lands in its own place, so the results
/// are in the book's order and the same whatever the parts.
public struct ClientSplit: Sendable {
    /// Calls `body` once for each part of `0..<count`, each index in exactly one part; the calls may overlap.
    public let run: @Sendable (_ count: Int, _ body: @Sendable (Range<Int>) -> Void) -> Void

    public init(run: @escaping @Sendable (_ count: Int, _ body: @Sendable (Range<Int>) -> Void) -> Void) {
        self.run = run
    }

    public static let serial = ClientSplit { count, body in body(0..<count) }

    /// `transform` of each element, in order.
    func map<Element: Sendable, Result: Sendable>(
        _ elements: [Element], _ transform: @Sendable (Element) -> Result
    ) -> [Result] {
        let count = elements.count
        return [Result](unsafeUninitializedCapacity: count) { buffer, initialized in
            let out = SharedBuffer(buffer.baseAddress)
            elements.withUnsafeBufferPointer { elements in
                let input = SharedBuffer(UnsafeMutablePointer(mutating: elements.baseAddress))
                withoutActuallyEscaping(transform) { transform in
                    run(count) { range in
                        for index in range { (out.base! + index).initialize(to: transform(input.base![index])) }
                    }
                }
            }
            initialized = count
        }
    }

    /// `first()` and `second()`, at once when the split runs its parts on threads.
    func both<First: Sendable, Second: Sendable>(
        _ first: @Sendable () -> First, _ second: @Sendable () -> Second
    ) -> (First, Second) {
        withUnsafeTemporaryAllocation(of: First.self, capacity: 1) { one in
            withUnsafeTemporaryAllocation(of: Second.self, capacity: 1) { two in
                let (one, two) = (SharedBuffer(one.baseAddress), SharedBuffer(two.baseAddress))
                withoutActuallyEscaping(first) { first in
                    withoutActuallyEscaping(second) { second in
                        run(2) { range in
                            for index in range {
                                if index == 0 {
                                    one.base!.initialize(to: first())
                                } else {
                                    two.base!.initialize(to: second())
                                }
                            }
                        }
                    }
                }
                return (one.base!.move(), two.base!.move())
            }
        }
    }

    /// Lets `change` update each element in place, and gives back what it returns for each, in order.
    func update<Element, Result: Sendable>(
        _ elements: inout [Element], _ change: @Sendable (Int, inout Element) -> Result
    ) -> [Result] {
        let count = elements.count
        return elements.withUnsafeMutableBufferPointer { elements in
            let shared = SharedBuffer(elements.baseAddress)
            return [Result](unsafeUninitializedCapacity: count) { buffer, initialized in
                let out = SharedBuffer(buffer.baseAddress)
                withoutActuallyEscaping(change) { change in
                    run(count) { range in
                        for index in range { (out.base! + index).initialize(to: change(index, &shared.base![index])) }
                    }
                }
                initialized = count
            }
        }
    }
}

/// Memory that the parts of a ``ClientSplit`` share: each part touches only its own indices.
private struct SharedBuffer<Element>: @unchecked Sendable {
    let base: UnsafeMutablePointer<Element>?

    init(_ base: UnsafeMutablePointer<Element>?) {
        self.base = base
    }
}

extension Assessment {
    /// Adds findings made after the client's own assessment and decides the status again.
    mutating func add(
        _ new: [Finding], previous: StatusSince?, settings: ChurnSettings.StatusRules, numbers: NumberStyle = .plain
    ) {
        guard !new.isEmpty else { return }
        findings += new
        findings.sort { $0.verdict > $1.verdict }
        status = StatusDecision.decide(
            previous: previous, facts: facts, findings: findings, settings: settings, numbers: numbers)
        statusSince = previous?.status == status.status ? previous!.since : facts.asOf
    }
}
