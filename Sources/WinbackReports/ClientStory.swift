import WinbackCore

/// One client's whole story, in words a sales head reads (`winback client ID`), or as JSON.
public enum ClientStory {
    /// The story in words, one fact per line. `horizon` is the purchase model's horizon in days (`[p_alive]
    /// horizon_days`).
    public static func text(_ client: ClientSummary, facts: ClientFacts?, changes: [StatusChange], horizon: Int)
        -> String
    {
        var out: [String] = []
        var who = client.clientID
        if let name = client.name { who += "  \(name)" }
        out.append(who)
        let whose = [client.manager.map { "manager \($0)" }, client.region.map { "region \($0)" }].compactMap { $0 }
        if !whose.isEmpty { out.append(whose.joined(separator: ", ")) }
        out.append(
            "Bought \(client.documents) documents for \(client.revenue.formatted()) in all"
                + (client.firstPurchase.map { ", from \($0.iso)" } ?? "")
                + (client.lastPurchase.map { " to \($0.iso)" } ?? "") + ".")
        guard let state = client.state else {
            out.append("Not scanned yet: run `winback scan`.")
            return out.joined(separator: "\n")
        }
        out.append("")
        out.append("As of \(state.asOf.iso): \(label(state.status)) since \(state.statusSince.iso) — \(state.reason).")
        var classes = "Class \(state.abc.rawValue)\(state.xyz?.rawValue ?? "–")"
        if let variation = state.variation {
            classes += " (monthly revenue varies by \(Int((variation * 100).rounded())) %)"
        }
        classes +=
            "; \(fixed(state.share * 100, 1)) % of revenue over the classes window (\(state.revenue.formatted()))"
        if let margin = state.margin { classes += ", margin \(margin.formatted())" }
        switch state.dependence {
        case .none: break
        case .key: classes += "; a key client"
        case .critical: classes += "; the company depends on it critically"
        case .mono: classes += "; a mono-client: more than half of all revenue"
        }
        out.append(classes + ".")
        if let rhythm = state.rhythm {
            var line = "Buys every \(fixed(rhythm, 1)) days"
            if let spread = state.spread { line += " (give or take \(fixed(spread, 1)))" }
            line += "; \(state.purchaseDays) purchase days"
            if let next = state.expectedNext { line += "; next purchase expected \(next.iso)" }
            if let silent = state.daysSilent { line += "; silent for \(silent) days" }
            if let missed = state.missedCycles, missed > 0 {
                line += " (\(missed) purchase \(missed == 1 ? "cycle" : "cycles") missed)"
            }
            out.append(line + ".")
        } else {
            out.append(
                "\(state.purchaseDays) purchase days, too few for a rhythm"
                    + (state.daysSilent.map { "; silent for \($0) days" } ?? "") + ".")
        }
        if let season = state.season {
            out.append("Seasonal: \(season); its silence in the other months does not count.")
        }
        if let meanGap = state.meanGap, let variation = state.gapVariation {
            var line =
                "Its gaps: \(fixed(meanGap, 1)) working days on average, varying by \(percent(variation, signed: false))"
            if let p = state.silenceProbability {
                line += "; a client like it still buying is this silent \(p < 0.5 ? "\(rarity(p))" : "often")"
            }
            out.append(line + ".")
        }
        if let pAlive = state.pAlive {
            var line = "The purchase model gives it a \(Int((pAlive * 100).rounded())) % chance of still buying"
            if let pBuy = state.pBuy { line += ", \(Int((pBuy * 100).rounded())) % of buying within \(horizon) days" }
            if let expected = state.expectedPurchases { line += ", \(fixed(expected, 1)) purchases expected in them" }
            if let value = state.expectedValue { line += ", about \(value.formatted(decimals: 0)) each" }
            if let atRisk = state.valueAtRisk, atRisk > .zero {
                line += "; value at risk \(atRisk.formatted(decimals: 0))"
            }
            out.append(line + ".")
        }
        if let facts, !facts.categories.isEmpty {
            let listed = facts.categories.prefix(8).map {
                "\($0.category) \(Int(($0.share * 100).rounded())) % (last \($0.lastPurchase.iso))"
            }
            out.append("Categories, by share of purchase days: " + listed.joined(separator: ", ") + ".")
        }
        if let facts, facts.recentGross > .zero {
            out.append(
                "Returns: \(facts.recentReturns.formatted()) of \(facts.recentGross.formatted()) bought in the returns window."
            )
        }
        out.append("")
        if state.findings.isEmpty {
            out.append("No criterion fired.")
        } else {
            out.append("What fired:")
            for finding in state.findings {
                let category = finding.category.map { " \($0)" } ?? ""
                out.append(
                    "  \(finding.criterion.rawValue)\(category) (\(finding.verdict.rawValue)): \(finding.explanation)")
            }
        }
        if !changes.isEmpty {
            out.append("")
            out.append("Status history:")
            for change in changes {
                let move = (change.from.map { "\($0.rawValue) → " } ?? "") + change.to.rawValue
                out.append(
                    "  \(change.day.iso)  \(move.padding(toLength: 20, withPad: " ", startingAt: 0)) \(change.reason)")
            }
        }
        // Every line, whatever part of it came from data: no terminal escape, no broken line.
        return out.map(escapeControls).joined(separator: "\n")
    }

    /// The same facts for scripts: one JSON array holding the client's object (the keys of `clients --format json`
    /// and more), written by ``JSONObject``.
    public static func json(_ client: ClientSummary, facts: ClientFacts?, changes: [StatusChange]) -> String {
        var fields: [(String, JSONObject.Value)] = [
            ("client_id", .string(client.clientID)), ("client_name", JSONObject.string(client.name)),
            ("manager", JSONObject.string(client.manager)), ("region", JSONObject.string(client.region)),
            ("documents", .integer(Int64(client.documents))), ("revenue", JSONObject.money(client.revenue)),
            ("first_purchase", JSONObject.day(client.firstPurchase)),
            ("last_purchase", JSONObject.day(client.lastPurchase)),
        ]
        if let state = client.state {
            fields += [
                ("as_of", .string(state.asOf.iso)), ("status", .string(state.status.rawValue)),
                ("status_since", .string(state.statusSince.iso)), ("reason", .string(state.reason)),
                ("abc", .string(state.abc.rawValue)), ("xyz", JSONObject.string(state.xyz?.rawValue)),
                ("share", .number(state.share)), ("dependence", .string(state.dependence.rawValue)),
                ("typical_interval_days", JSONObject.number(state.rhythm)),
                ("spread_days", JSONObject.number(state.spread)),
                ("expected_next_purchase", JSONObject.day(state.expectedNext)),
                ("days_silent", JSONObject.integer(state.daysSilent)),
                ("missed_cycles", JSONObject.integer(state.missedCycles)),
                ("p_alive", JSONObject.number(state.pAlive)), ("p_buy", JSONObject.number(state.pBuy)),
                ("expected_purchases", JSONObject.number(state.expectedPurchases)),
                ("silence_probability", JSONObject.number(state.silenceProbability)),
                ("mean_gap_working_days", JSONObject.number(state.meanGap)),
                ("gap_variation", JSONObject.number(state.gapVariation)), ("season", JSONObject.string(state.season)),
                ("expected_value", JSONObject.money(state.expectedValue)),
                ("value_at_risk", JSONObject.money(state.valueAtRisk)),
                (
                    "findings",
                    .array(
                        state.findings.map { finding in
                            .object(
                                JSONObject([
                                    ("criterion", .string(finding.criterion.rawValue)),
                                    ("verdict", .string(finding.verdict.rawValue)),
                                    ("category", JSONObject.string(finding.category)),
                                    (
                                        "numbers",
                                        .object(JSONObject(finding.numbers.map { ($0.name, .number($0.value)) }))
                                    ),
                                    ("explanation", .string(finding.explanation)),
                                ]))
                        })
                ),
            ]
        }
        if let facts {
            fields.append(
                (
                    "categories",
                    .array(
                        facts.categories.map { category in
                            .object(
                                JSONObject([
                                    ("category", .string(category.category)), ("share", .number(category.share)),
                                    ("purchase_days", .integer(Int64(category.purchases))),
                                    ("last_purchase", .string(category.lastPurchase.iso)),
                                ]))
                        })
                ))
        }
        fields.append(
            (
                "status_history",
                .array(
                    changes.map { change in
                        .object(
                            JSONObject([
                                ("day", .string(change.day.iso)), ("from", JSONObject.string(change.from?.rawValue)),
                                ("to", .string(change.to.rawValue)), ("reason", .string(change.reason)),
                            ]))
                    })
            ))
        return JSONObject.array([JSONObject(fields)])
    }

    private static func label(_ status: ClientStatus) -> String {
        switch status {
        case .new: return "new"
        case .active: return "active"
        case .atRisk: return "at risk"
        case .lost: return "lost"
        case .wonBack: return "won back"
        }
    }
}
