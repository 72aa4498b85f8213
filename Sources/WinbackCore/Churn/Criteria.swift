#if canImport(Glibc)
    import Glibc
#elseif canImport(Musl)
    import Musl
#elseif canImport(Darwin)
    import Darwin
#endif

/// The churn criteria: pure functions of a client's history and facts on a given day.
public enum Criteria {
    /// Every criterion that judges the client on its own, most severe first. Silence (`overdue`, `silence`) needs
    /// the book's gap prior and comes from ``SilenceStage``.
    public static func evaluate(
        history: ClientHistory, facts: ClientFacts, settings: ChurnSettings, calendar: BusinessCalendar? = nil
    ) -> [Finding] {
        var findings: [Finding] = []
        let calendar = calendar ?? .plain(from: history.days.first?.day ?? facts.asOf, through: facts.asOf)
        if settings.decline.enabled,
            let finding = decline(history, facts, settings.decline, calendar: calendar, style: settings.numbers)
                ?? orderSizeDecline(history, facts, settings.decline, style: settings.numbers)
        {
            findings.append(finding)
        }
        if settings.categoryDrop.enabled { findings += categoryDrops(facts, settings.categoryDrop) }
        if settings.returns.enabled, let finding = returns(facts, settings.returns, style: settings.numbers) {
            findings.append(finding)
        }
        return findings.sorted { $0.verdict > $1.verdict }
    }

    /// Silent for longer than a client still buying, with its gap distribution, ordinarily is: the verdict and its
    /// explanation ("a client with this rhythm is this silent less than once in 2,000 times").
    ///
    /// `presumedPause`: the book's seasonal pause, left out of `facts`' silent time because the client is too young
    /// to have shown its seasons and fell silent as the pause began (``SilenceStage``). The explanation says so, and
    /// a silence that is no alarm without the pause is a flag that says why the client is not judged yet.
    static func silence(
        _ facts: ClientFacts, fit: GapFit, logSurvival: Double, settings: ChurnSettings, presumedPause: Season? = nil
    ) -> Finding? {
        guard let silent = facts.daysSilent, let silentTime = facts.silentTime else { return nil }
        let single = facts.gaps == nil
        guard single ? settings.silence.enabled : settings.overdue.enabled else { return nil }
        let survival = exp(logSurvival)
        let verdict: Verdict
        let gapsSilent = silentTime / max(fit.meanGap, 1e-9)
        if logSurvival < log(settings.overdue.lostProbability), gapsSilent >= settings.overdue.lostAfterGaps {
            verdict = .lost
        } else if logSurvival < log(settings.overdue.atRiskProbability) {
            verdict = .atRisk
        } else if let presumedPause, let last = facts.lastPurchase {
            return Finding(
                criterion: single ? .silence : .overdue, verdict: .flag,
                numbers: [Measure("days_silent", Double(silent)), Measure("working_days_silent", silentTime)],
                explanation:
                    "silent since \(last.iso), as the book's seasonal clients pause (\(presumedPause.offDescription)); with "
                    + "less than a year of history it may be one of them: judged on its time outside the pause")
        } else {
            return nil
        }
        let pause =
            presumedPause.map {
                "; the book's seasonal pause (\($0.offDescription)) not counted: with less than a year of history it may be "
                    + "one of those clients"
            } ?? ""
        let meanDays = fit.meanGap * Double(max(silent, 1)) / max(silentTime, 1e-9)
        var numbers = [
            Measure("days_silent", Double(silent)), Measure("working_days_silent", silentTime),
            Measure("mean_gap_working_days", fit.meanGap), Measure("gap_variation", fit.variation),
            Measure("silence_probability", survival),
        ]
        if let rhythm = facts.rhythm { numbers.insert(Measure("typical_interval_days", rhythm), at: 0) }
        let rarity = "a client still buying is this silent \(oncein(survival, settings.numbers))"
        let season = facts.season.map { "; \($0.description)" } ?? ""
        let explanation: String
        if single {
            explanation =
                "one purchase so far; silent for \(days(Double(silent))) (\(fixed(silentTime, 0)) working days): "
                + "among the book's clients, \(rarity)\(pause)"
        } else {
            let regularity = fit.variation < 0.35 ? "regular" : fit.variation < 0.75 ? "fairly regular" : "irregular"
            let rhythm = facts.rhythm.map { "buys every \(days($0, settings.numbers))" }
                ?? "buys every \(days(meanDays, settings.numbers)) on average"
            explanation =
                "\(rhythm) (\(regularity): gaps vary ±\(percent(fit.variation, signed: false))); silent for "
                + "\(days(Double(silent))), \(settings.numbers.decimal(fixed(silentTime / max(fit.meanGap, 1e-9), 1)))× its mean gap in working "
                + "time\(season); \(rarity)\(pause)"
        }
        return Finding(
            criterion: single ? .silence : .overdue, verdict: verdict, numbers: numbers, explanation: explanation)
    }

    /// Still buying, for much less than before: beyond what the client's own same-length windows ordinarily vary.
    ///
    /// The recent window is compared with the same window a year earlier where history reaches back that far (blind
    /// to seasons, and still seeing a decline months after it began), else with the window just before. Each
    /// window's revenue is taken per working time of the book (and of the client's own season), so that a holiday
    /// month or a shutdown is no decline. How much the client's windows vary by chance follows from how many orders
    /// fall in a window and how much its gaps and order sizes vary: the ratio's log varies by σ = √(2 ln(1 + (cv²gap +
    /// cv²order) / orders)). The decline fires when the fall is at least `drop` and beyond `z` σ.
    static func decline(
        _ history: ClientHistory, _ facts: ClientFacts, _ settings: ChurnSettings.Decline, calendar: BusinessCalendar,
        style: NumberStyle = .plain
    ) -> Finding? {
        guard let first = facts.firstPurchase, let last = facts.lastPurchase else { return nil }
        let asOf = facts.asOf
        let window = max(settings.windowDays, Int((settings.minGapsPerWindow * (facts.rhythm ?? 0)).rounded(.up)))
        let recentStart = asOf.adding(days: -window + 1)
        guard last >= recentStart, first <= asOf.adding(days: -2 * window + 1) else { return nil }
        let off = facts.season?.offMonths ?? []
        func time(_ from: Day, _ through: Day) -> Double {
            calendar.time(after: from.adding(days: -1), through: through, excluding: off)
        }
        let recent = revenue(history, from: recentStart, through: asOf)
        let recentTime = time(recentStart, asOf)
        // Mostly the client's off-season: too little of the window says anything.
        guard off.isEmpty || recentTime >= 0.5 * calendar.time(after: recentStart.adding(days: -1), through: asOf)
        else {
            return nil
        }
        let beforeStart = asOf.adding(days: -2 * window + 1)
        let beforeEnd = asOf.adding(days: -window)
        let before = revenue(history, from: beforeStart, through: beforeEnd)
        let hasYear = first <= asOf.adding(days: -365 - window + 1)
        let yearStart = asOf.adding(days: -365 - window + 1)
        let yearEnd = asOf.adding(days: -365)
        let yearAgo = hasYear ? revenue(history, from: yearStart, through: yearEnd) : nil
        let baseline = yearAgo ?? before
        let baselineTime = hasYear ? time(yearStart, yearEnd) : time(beforeStart, beforeEnd)
        guard baseline > .zero, baseline >= settings.minRevenue, recentTime > 0.05 * Double(window),
            baselineTime > 0.05 * Double(window)
        else { return nil }
        // Revenue per working time: the book's quiet days and the client's off-season count for less.
        let ratio = max(recent.doubleValue, 0) / recentTime / (baseline.doubleValue / baselineTime)
        let change = ratio - 1
        guard change <= -settings.drop else { return nil }
        // How much such a ratio varies by chance for this client.
        // Orders expected in the recent window: its working time over the client's mean gap in the same time.
        let meanGap = facts.gaps?.mean ?? max(facts.rhythm ?? Double(window), 1)
        let orders = max(1, min(recentTime, baselineTime) / max(meanGap, 0.5))
        let gapVariation = facts.gaps.map { 1 / GapFit.shape(forLogVariance: $0.varianceLog).squareRoot() } ?? 1
        let spread = (2 * log(1 + (gapVariation * gapVariation + facts.orderVariation * facts.orderVariation) / orders))
            .squareRoot()
        let z = ratio > 0 ? -log(ratio) / spread : .infinity
        guard z >= settings.z else { return nil }
        let beforeChange = before > .zero ? recent.doubleValue / before.doubleValue - 1 : nil
        var numbers = [
            Measure("window_days", Double(window)), Measure("revenue_recent", recent.doubleValue),
            Measure("revenue_before", before.doubleValue), Measure("change", change),
            Measure("ordinary_spread", spread),
            Measure("z", z.isFinite ? z : 99),
        ]
        if let beforeChange { numbers.append(Measure("change_before", beforeChange)) }
        let beyond = "; \(z.isFinite ? style.decimal(fixed(z, 1)) : "many") times what its \(window)-day windows ordinarily vary"
        let explanation: String
        if let yearAgo {
            numbers.append(Measure("revenue_year_ago", yearAgo.doubleValue))
            numbers.append(Measure("change_year_ago", change))
            explanation =
                "last \(window) days revenue \(percent(change)) against the same days a year earlier "
                + "(\(style.amount(recent)) against \(style.amount(yearAgo)), per working day)" + beyond
        } else {
            explanation =
                "last \(window) days revenue \(percent(change)) against the \(window) before "
                + "(\(style.amount(recent)) against \(style.amount(before)), per working day)" + beyond
        }
        return Finding(criterion: .decline, verdict: .atRisk, numbers: numbers, explanation: explanation)
    }

    /// Still buying as often, for much less each time: the last few orders against the orders before them.
    ///
    /// A window's revenue needs a quarter or more to show a fall beyond a client's ordinary ups and downs; the size
    /// of each order shows it after two or three. The last m orders (m = 2…`maxRecentOrders`) are compared with up
    /// to 24 orders before them by rank (Mann–Whitney): the chance that orders of one ordinary kind fall so far below
    /// the earlier ones is exact whatever the shape of the client's order sizes, so that one huge or tiny order
    /// proves nothing. With too few orders for ranks to be sure (two or three against ten), orders that are each
    /// below every earlier one are judged on the log scale by Student's t instead. The fall fires when its median is
    /// at least `drop` below the earlier median and that chance is below the one-sided tail of `z` σ (0.13 % for 3). Where there were orders at the same time a year earlier,
    /// the recent ones must also be small against those, so that a client whose orders are small every spring is not
    /// flagged each spring.
    static func orderSizeDecline(
        _ history: ClientHistory, _ facts: ClientFacts, _ settings: ChurnSettings.Decline,
        style: NumberStyle = .plain
    ) -> Finding? {
        // The orders: days with something bought, up to the scan's day. Most clients' last order is too old, and
        // theirs are not even gathered.
        let days = history.days
        guard
            let lastOrder = days.lastIndex(where: { $0.gross > .zero && $0.day <= facts.asOf }),
            days[lastOrder].day >= facts.asOf.adding(days: -settings.windowDays + 1)
        else { return nil }
        var orderDays: [Day] = []
        var sizes: [Double] = []
        orderDays.reserveCapacity(lastOrder + 1)
        sizes.reserveCapacity(lastOrder + 1)
        for day in days[...lastOrder] where day.gross > .zero {
            orderDays.append(day.day)
            sizes.append(day.gross.doubleValue)
        }
        let earlierNeeded = max(settings.minEarlierOrders, 3)
        guard sizes.count >= earlierNeeded + 2 else { return nil }
        let limit = 0.5 * erfc(settings.z / 2.0.squareRoot())
        var best: (m: Int, chance: Double, recent: Double, earlier: Double, earlierCount: Int)?
        for m in 2...min(settings.maxRecentOrders, sizes.count - earlierNeeded) {
            // The 24 orders before the last m, and the last m.
            let earlier = sizes[max(0, sizes.count - m - 24)..<(sizes.count - m)]
            let recent = sizes[(sizes.count - m)...]
            let recentMedian = Statistics.median(recent)
            // Most clients' orders hold their size. The earlier median is (1 − drop) times above the recent one only if
            // half the earlier orders are (the median is one of them, or the mean of two): counted, not sorted.
            if 1 - settings.drop > 0 {
                var above = 0
                for size in earlier where recentMedian <= (1 - settings.drop) * size { above += 1 }
                if above < (earlier.count + 1) / 2 { continue }
            }
            let earlierMedian = Statistics.median(earlier)
            guard recentMedian <= (1 - settings.drop) * earlierMedian else { continue }
            var chance = RankTest.lowerTail(Array(recent), below: Array(earlier))
            // Too few orders for ranks alone to be sure: every one below every earlier order, and far below on the
            // log scale by Student's t with the earlier orders' own spread.
            if chance > limit, recent.max()! < earlier.min()! {
                let logs = earlier.map(log)
                let mean = logs.reduce(0, +) / Double(logs.count)
                let variance = logs.reduce(0) { $0 + ($1 - mean) * ($1 - mean) } / Double(logs.count - 1)
                let recentMean = recent.map(log).reduce(0, +) / Double(m)
                let t = (mean - recentMean) / (variance * (1 / Double(m) + 1 / Double(logs.count))).squareRoot()
                chance = SpecialFunctions.studentLowerTail(t, degrees: Double(logs.count - 1))
            }
            if chance < (best?.chance ?? .infinity) { best = (m, chance, recentMedian, earlierMedian, earlier.count) }
        }
        guard let best, best.chance <= limit else { return nil }
        // The same weeks a year earlier, when the client bought then.
        let from = orderDays[orderDays.count - best.m].adding(days: -365 - 14)
        let through = facts.asOf.adding(days: -365 + 14)
        let yearAgo = orderDays.indices.filter { orderDays[$0] >= from && orderDays[$0] <= through }.map { sizes[$0] }
        if yearAgo.count >= 2, best.recent > (1 - settings.drop) * Statistics.median(yearAgo) { return nil }
        let change = best.recent / best.earlier - 1
        return Finding(
            criterion: .decline, verdict: .atRisk,
            numbers: [
                Measure("orders_recent", Double(best.m)), Measure("order_recent", best.recent),
                Measure("orders_before", Double(best.earlierCount)), Measure("order_before", best.earlier),
                Measure("change", change), Measure("chance", best.chance),
            ],
            explanation:
                "last \(best.m) orders \(percent(change)) against its \(best.earlierCount) orders before (median "
                + "\(style.amount(Money(approximately: best.recent))) against "
                + "\(style.amount(Money(approximately: best.earlier)))); orders of its ordinary sizes fall this "
                + "low \(oncein(best.chance, style))")
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
    static func returns(
        _ facts: ClientFacts, _ settings: ChurnSettings.Returns, style: NumberStyle = .plain
    ) -> Finding? {
        guard facts.recentGross > .zero, facts.recentGross >= settings.minGross else { return nil }
        let share = facts.recentReturns.doubleValue / facts.recentGross.doubleValue
        guard share > settings.share else { return nil }
        return Finding(
            criterion: .returns, verdict: .flag,
            numbers: [
                Measure("window_days", Double(settings.windowDays)),
                Measure("returns", facts.recentReturns.doubleValue),
                Measure("gross", facts.recentGross.doubleValue), Measure("share", share),
            ],
            explanation:
                "returned \(style.amount(facts.recentReturns)) of \(style.amount(facts.recentGross)) "
                + "bought in the last \(settings.windowDays) days (\(percent(share, signed: false)))")
    }

    private static func revenue(_ history: ClientHistory, from: Day, through: Day) -> Money {
        var sum = Money.zero
        for day in history.days where day.day >= from && day.day <= through { sum = sum + day.net }
        return sum
    }
}

/// "14 days", "1 day", "12.5 days".
func days(_ value: Double, _ style: NumberStyle = .plain) -> String {
    let rounded = (value * 10).rounded() / 10
    let text = style.decimal(rounded == rounded.rounded() ? fixed(rounded, 0) : fixed(rounded, 1))
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

/// "less than once in 2,000 times".
func oncein(_ probability: Double, _ style: NumberStyle = .plain) -> String {
    guard probability > 0 else { return "practically never" }
    if 1 / probability >= 1e9 { return "less than once in a billion times" }
    return "less than once in \(style.localize(rarityTimes(probability))) times"
}

/// A small probability as "1 in 2,000" (rounded to two digits, down), for tables and stories.
public func rarity(_ probability: Double) -> String {
    guard probability > 0 else { return "0" }
    if 1 / probability >= 1e9 { return "<1 in 1e9" }
    return "1 in \(rarityTimes(probability))"
}

func rarityTimes(_ probability: Double) -> String {
    let times = 1 / probability
    var rounded = times
    var scale = 1.0
    while rounded >= 100 {
        rounded /= 10
        scale *= 10
    }
    let shown = Int(rounded.rounded(.down)) * Int(scale)
    var text = ""
    for (index, character) in String(shown).reversed().enumerated() {
        if index > 0, index % 3 == 0 { text.insert(",", at: text.startIndex) }
        text.insert(character, at: text.startIndex)
    }
    return text
}
