/// What the models say about one client.
public struct ModelView: Sendable, Equatable {
    /// The MBG/NBD probability that the client is still buying.
    public var pAlive: Double
    /// Expected purchase days in the next `horizonDays`.
    public var expectedPurchases: Double
    /// The expected value of its next purchase (Gamma-Gamma where it could be fitted, else its own mean).
    public var expectedValue: Money?
    /// Its yearly value times the chance it is gone.
    public var valueAtRisk: Money
}

/// The fits of one scan.
public struct ModelFits: Sendable, Equatable {
    public var bgnbd: BetaGeometricModel.Fit?
    public var mbgnbd: BetaGeometricModel.Fit?
    public var gammaGamma: (model: GammaGammaModel, logLikelihood: Double, converged: Bool)?

    public static func == (lhs: ModelFits, rhs: ModelFits) -> Bool {
        lhs.bgnbd == rhs.bgnbd && lhs.mbgnbd == rhs.mbgnbd && lhs.gammaGamma?.model == rhs.gammaGamma?.model
    }
}

/// Fits the buy-till-you-die models on every client of a scan and applies the `p_alive` criterion.
///
/// The models need all clients at once, so this runs after every client has been assessed on its own:
/// a client whose chance of still buying is under the threshold gets a `p_alive` finding, and its status is
/// decided again with it.
public enum ModelStage {
    public static func apply(
        to assessments: inout [Assessment], previous: [StatusSince?], settings: ChurnSettings
    ) -> (fits: ModelFits, views: [ModelView?]) {
        let summaries = assessments.compactMap { $0.facts.repeatSummary }
        guard summaries.count >= 20 else { return (ModelFits(), Array(repeating: nil, count: assessments.count)) }
        let mbg = BetaGeometricModel.fit(summaries, variant: .mbgnbd)
        let bg = BetaGeometricModel.fit(summaries, variant: .bgnbd)
        let spends = assessments.compactMap { assessment -> GammaGammaModel.Spend? in
            guard let summary = assessment.facts.repeatSummary, summary.x > 0,
                let mean = assessment.facts.meanRepeatValue, mean > .zero
            else { return nil }
            return GammaGammaModel.Spend(x: summary.x, mean: mean.doubleValue)
        }
        let gg = GammaGammaModel.fit(spends)
        var views: [ModelView?] = []
        views.reserveCapacity(assessments.count)
        for index in assessments.indices {
            guard mbg.converged, let summary = assessments[index].facts.repeatSummary else {
                views.append(nil)
                continue
            }
            let facts = assessments[index].facts
            let pAlive = mbg.model.probabilityAlive(summary)
            let expected = mbg.model.expectedPurchases(Double(settings.pAlive.horizonDays), given: summary)
            var value: Money?
            if let mean = facts.meanRepeatValue {
                value = gg.converged
                    ? Money(approximately: gg.model.expectedValue(.init(x: summary.x, mean: mean.doubleValue))) : mean
            }
            let atRisk = Money(approximately: max(0, facts.yearlyValue.doubleValue) * (1 - pAlive))
            let view = ModelView(pAlive: pAlive, expectedPurchases: expected, expectedValue: value, valueAtRisk: atRisk)
            views.append(view)
            if settings.pAlive.enabled, pAlive < settings.pAlive.atRiskBelow {
                assessments[index].add(
                    Finding(
                        criterion: .pAlive, verdict: .atRisk,
                        numbers: [
                            Measure("p_alive", pAlive), Measure("expected_purchases", expected),
                            Measure("horizon_days", Double(settings.pAlive.horizonDays)),
                            Measure("repeat_purchases", summary.x), Measure("days_since_last", summary.T - summary.tx),
                        ],
                        explanation:
                            "the purchase model gives it a \(percent(pAlive, signed: false)) chance of still buying "
                            + "(\(Int(summary.x)) repeat purchases, the last \(Int(summary.T - summary.tx)) days ago); "
                            + "expected purchases in the next \(settings.pAlive.horizonDays) days: \(fixed(expected, 1))"),
                    previous: previous[index], settings: settings.status)
            }
        }
        return (ModelFits(bgnbd: bg, mbgnbd: mbg, gammaGamma: gg), views)
    }
}

extension Assessment {
    /// Adds a finding made after the client's own assessment and decides the status again.
    mutating func add(_ finding: Finding, previous: StatusSince?, settings: ChurnSettings.StatusRules) {
        findings.append(finding)
        findings.sort { $0.verdict > $1.verdict }
        status = StatusDecision.decide(previous: previous, facts: facts, findings: findings, settings: settings)
        statusSince = previous?.status == status.status ? previous!.since : facts.asOf
    }
}
