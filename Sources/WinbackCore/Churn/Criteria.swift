#if canImport(Glibc)
    import Glibc
#elseif canImport(Musl)
    import Musl
#elseif canImport(Darwin)
    import Darwin
#endif

/// The churn criteria: pure functions of a client's history and facts on a given day.
public enum Criteria {
    /// Every criterion that fires for the client, most severe first.
    public static func evaluate(history: ClientHistory, facts: ClientFacts, settings: ChurnSettings) -> [Finding] {
        var findings: [Finding] = []
        if settings.overdue.enabled, let finding = overdue(facts, settings.overdue) { findings.append(finding) }
        if settings.silence.enabled, let finding = silence(facts, settings) { findings.append(finding) }
        if settings.decline.enabled, let finding = decline(history, facts, settings.decline) { findings.append(finding) }
        if settings.categoryDrop.enabled { findings += categoryDrops(facts, settings.categoryDrop) }
        if settings.returns.enabled, let finding = returns(facts, settings.returns) { findings.append(finding) }
        return findings.sorted { $0.verdict > $1.verdict }
    }

    /// Silent for longer than the client's own rhythm allows.
    static func overdue(_ facts: ClientFacts, _ settings: ChurnSettings.Overdue) -> Finding? {
        guard let rhythm = facts.rhythm, let spread = facts.spread, let silent = facts.daysSilent else { return nil }
        let atRiskAfter = max(settings.atRiskFactor * rhythm, rhythm + settings.spreadWeight * spread)
        let lostAfter = max(settings.lostFactor * rhythm, rhythm + 2 * settings.spreadWeight * spread, atRiskAfter)
        let verdict: Verdict
        if Double(silent) > lostAfter {
            verdict = .lost
        } else if Double(silent) > atRiskAfter {
            verdict = .atRisk
        } else {
            return nil
        }
        let ratio = Double(silent) / rhythm
        return Finding(
            criterion: .overdue, verdict: verdict,
            numbers: [
                Measure("typical_interval_days", rhythm), Measure("spread_days", spread),
                Measure("days_silent", Double(silent)), Measure("ratio", ratio),
                Measure("at_risk_after_days", atRiskAfter), Measure("lost_after_days", lostAfter),
            ],
            explanation:
                "buys every \(days(rhythm)); silent for \(days(Double(silent))), \(fixed(ratio, 1))× its rhythm "
                + "(at risk past \(Int(atRiskAfter.rounded(.down))), lost past \(Int(lostAfter.rounded(.down))) days)")
    }

    /// The backstop for clients without a rhythm yet.
    static func silence(_ facts: ClientFacts, _ settings: ChurnSettings) -> Finding? {
        guard facts.rhythm == nil, let silent = facts.daysSilent else { return nil }
        let rules = settings.silence
        let verdict: Verdict
        if silent > rules.lostDays {
            verdict = .lost
        } else if silent > rules.atRiskDays {
            verdict = .atRisk
        } else {
            return nil
        }
        let purchases = facts.purchaseDays == 1 ? "one purchase" : "\(facts.purchaseDays) purchases"
        return Finding(
            criterion: .silence, verdict: verdict,
            numbers: [
                Measure("purchase_days", Double(facts.purchaseDays)), Measure("days_silent", Double(silent)),
                Measure("at_risk_after_days", Double(rules.atRiskDays)), Measure("lost_after_days", Double(rules.lostDays)),
            ],
            explanation:
                "\(purchases) so far, too few for a rhythm; silent for \(days(Double(silent))) "
                + "(at risk past \(rules.atRiskDays), lost past \(rules.lostDays) days)")
    }

    /// Still buying, for much less than before.
    ///
    /// The recent window is compared with the same window a year earlier where history reaches back that far:
    /// that comparison is blind to seasons and still sees a decline months after it began. With less history,
    /// it is compared with the window just before.
    static func decline(_ history: ClientHistory, _ facts: ClientFacts, _ settings: ChurnSettings.Decline) -> Finding? {
        guard let first = facts.firstPurchase, let last = facts.lastPurchase else { return nil }
        let asOf = facts.asOf
        let window = max(settings.windowDays, Int((settings.minGapsPerWindow * (facts.rhythm ?? 0)).rounded(.up)))
        let recentStart = asOf.adding(days: -window + 1)
        guard last >= recentStart, first <= asOf.adding(days: -2 * window + 1) else { return nil }
        let recent = revenue(history, from: recentStart, through: asOf)
        let before = revenue(history, from: asOf.adding(days: -2 * window + 1), through: asOf.adding(days: -window))
        let hasYear = first <= asOf.adding(days: -365 - window + 1)
        let yearAgo = hasYear
            ? revenue(history, from: asOf.adding(days: -365 - window + 1), through: asOf.adding(days: -365)) : nil
        let baseline = yearAgo ?? before
        guard baseline > .zero, baseline >= settings.minRevenue else { return nil }
        let change = recent.doubleValue / baseline.doubleValue - 1
        guard change <= -settings.drop else { return nil }
        let beforeChange = before > .zero ? recent.doubleValue / before.doubleValue - 1 : nil
        var numbers = [
            Measure("window_days", Double(window)), Measure("revenue_recent", recent.doubleValue),
            Measure("revenue_before", before.doubleValue),
        ]
        if let beforeChange { numbers.append(Measure("change_before", beforeChange)) }
        let explanation: String
        if let yearAgo {
            numbers.append(Measure("revenue_year_ago", yearAgo.doubleValue))
            numbers.append(Measure("change_year_ago", change))
            explanation =
                "last \(window) days revenue \(percent(change)) against the same days a year earlier "
                + "(\(recent.formatted(decimals: 0)) against \(yearAgo.formatted(decimals: 0)))"
                + (beforeChange.map { "; \(percent($0)) against the \(window) days before" } ?? "")
        } else {
            explanation =
                "last \(window) days revenue \(percent(change)) against the \(window) before "
                + "(\(recent.formatted(decimals: 0)) against \(before.formatted(decimals: 0)))"
        }
        return Finding(criterion: .decline, verdict: .atRisk, numbers: numbers, explanation: explanation)
    }

    /// Stopped buying a regular category while still buying others.
    static func categoryDrops(_ facts: ClientFacts, _ settings: ChurnSettings.CategoryDrop) -> [Finding] {
        facts.categories.compactMap { stat in
            guard stat.share >= settings.minShare, stat.purchases >= settings.minPurchases, stat.purchasesSince > 0
            else { return nil }
            let chance = pow(1 - stat.share, Double(stat.purchasesSince))
            guard chance < settings.alpha else { return nil }
            return Finding(
                criterion: .categoryDrop, verdict: .flag, category: stat.category,
                numbers: [
                    Measure("share", stat.share), Measure("purchases_with", Double(stat.purchases)),
                    Measure("purchases_since", Double(stat.purchasesSince)), Measure("chance", chance),
                ],
                explanation:
                    "bought \(stat.category) on \(percent(stat.share, signed: false)) of its purchase days; "
                    + "none in the \(stat.purchasesSince) purchases since \(stat.lastPurchase.iso)")
        }
    }

    /// Returns above a share of what was bought.
    static func returns(_ facts: ClientFacts, _ settings: ChurnSettings.Returns) -> Finding? {
        guard facts.recentGross > .zero, facts.recentGross >= settings.minGross else { return nil }
        let share = facts.recentReturns.doubleValue / facts.recentGross.doubleValue
        guard share > settings.share else { return nil }
        return Finding(
            criterion: .returns, verdict: .flag,
            numbers: [
                Measure("window_days", Double(settings.windowDays)), Measure("returns", facts.recentReturns.doubleValue),
                Measure("gross", facts.recentGross.doubleValue), Measure("share", share),
            ],
            explanation:
                "returned \(facts.recentReturns.formatted(decimals: 0)) of \(facts.recentGross.formatted(decimals: 0)) "
                + "bought in the last \(settings.windowDays) days (\(percent(share, signed: false)))")
    }

    private static func revenue(_ history: ClientHistory, from: Day, through: Day) -> Money {
        var sum = Money.zero
        for day in history.days where day.day >= from && day.day <= through { sum = sum + day.net }
        return sum
    }
}

/// "14 days", "1 day", "12.5 days".
func days(_ value: Double) -> String {
    let rounded = (value * 10).rounded() / 10
    let text = rounded == rounded.rounded() ? fixed(rounded, 0) : fixed(rounded, 1)
    return text + (text == "1" ? " day" : " days")
}

/// A number with `decimals` places, no grouping, rounded half away from zero: `fixed(2.25, 1)` is "2.3".
public func fixed(_ value: Double, _ decimals: Int) -> String {
    guard value.isFinite else { return value.isNaN ? "n/a" : value < 0 ? "−∞" : "∞" }
    var factor = 1.0
    for _ in 0..<decimals { factor *= 10 }
    // Past what Int64 holds after scaling, whole units are all that is worth printing.
    guard abs(value) * factor < 9e18 else { return "\(value.rounded())" }
    let scaled = Int64((abs(value) * factor).rounded())
    let whole = scaled / Int64(factor)
    let fraction = String(scaled % Int64(factor)).leftPadded(to: decimals)
    let sign = value < 0 && scaled != 0 ? "-" : ""
    return decimals == 0 ? "\(sign)\(whole)" : "\(sign)\(whole).\(fraction)"
}

/// "−64 %", "+12 %", or "67 %" unsigned.
public func percent(_ fraction: Double, signed: Bool = true) -> String {
    guard fraction.isFinite, abs(fraction) < 1e15 else { return fixed(fraction * 100, 0) + " %" }
    let value = Int((fraction * 100).rounded())
    guard signed else { return "\(value) %" }
    return value < 0 ? "−\(-value) %" : "+\(value) %"
}
