import WinbackReports
import ArgumentParser
import Foundation
import WinbackCore
import WinbackStore

/// `winback client ID`: one client's whole story, in words a sales head reads.
struct ClientCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "client",
        abstract: "Tell one client's story: classes, rhythm, status history, every criterion that fired.")

    @OptionGroup var global: GlobalOptions

    @Argument(help: ArgumentHelp("The client's id, as in the sales files.", valueName: "id"))
    var clientID: String

    @Option(help: "Output format: text or json.")
    var format: StoryFormat = .text

    enum StoryFormat: String, ExpressibleByArgument, CaseIterable {
        case text, json
    }

    func run() throws {
        let (config, database) = try global.open()
        guard let (key, summary) = try database.clientSummary(clientID) else {
            throw CommandFailure(reason: "no client \(quotedForMessage(clientID))")
        }
        let changes = try database.statusChanges(client: key)
        var facts: ClientFacts?
        if let state = summary.state {
            let history = try database.history(client: key, clientID: clientID, asOf: state.asOf)
            facts = ClientFacts(history: history, asOf: state.asOf, settings: config.churn)
        }
        switch format {
        case .text:
            // Every line of the story, whatever part of it came from data: no terminal escape, no broken line.
            let story = Self.story(summary, facts: facts, changes: changes, horizon: config.churn.pAlive.horizonDays)
            print(story.split(separator: "\n", omittingEmptySubsequences: false).map { escapeControls(String($0)) }
                .joined(separator: "\n"))
        case .json: print(Self.json(summary, facts: facts, changes: changes))
        }
    }

    static func story(_ client: ClientSummary, facts: ClientFacts?, changes: [StatusChange], horizon: Int = 90) -> String {
        var out: [String] = []
        var who = "\(escapeControls(client.clientID))"
        if let name = client.name { who += "  \(escapeControls(name))" }
        out.append(who)
        let whose = [client.manager.map { "manager \($0)" }, client.region.map { "region \($0)" }].compactMap { $0 }
        if !whose.isEmpty { out.append(escapeControls(whose.joined(separator: ", "))) }
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
        if let variation = state.variation { classes += " (monthly revenue varies by \(Int((variation * 100).rounded())) %)" }
        classes += "; \(fixed(state.share * 100, 1)) % of revenue over the classes window (\(state.revenue.formatted()))"
        if let margin = state.margin { classes += ", margin \(margin.formatted())" }
        switch state.dependence {
        case .none: break
        case .key: classes += "; a key client"
        case .critical: classes += "; the company depends on it critically"
        case .mono: classes += "; a mono-client: more than half of all revenue"
        }
        out.append(classes + ".")
        if let rhythm = state.typicalInterval {
            var line = "Buys every \(fixed(rhythm, 1)) days"
            if let spread = state.spread { line += " (give or take \(fixed(spread, 1)))" }
            line += "; \(state.purchaseDays) purchase days"
            if let next = state.expectedNext { line += "; next purchase expected \(next.iso)" }
            if let silent = state.daysSilent { line += "; silent for \(silent) days" }
            if let missed = state.missedCycles, missed > 0 { line += " (\(missed) purchase \(missed == 1 ? "cycle" : "cycles") missed)" }
            out.append(line + ".")
        } else {
            out.append(
                "\(state.purchaseDays) purchase days, too few for a rhythm"
                    + (state.daysSilent.map { "; silent for \($0) days" } ?? "") + ".")
        }
        if let season = state.season { out.append("Seasonal: \(season); its silence in the other months does not count.") }
        if let meanGap = state.meanGap, let variation = state.gapVariation {
            var line = "Its gaps: \(fixed(meanGap, 1)) working days on average, varying by \(percent(variation, signed: false))"
            if let p = state.silenceProbability { line += "; a client like it still buying is this silent \(p < 0.5 ? "\(rarity(p))" : "often")" }
            out.append(line + ".")
        }
        if let pAlive = state.pAlive {
            var line = "The purchase model gives it a \(Int((pAlive * 100).rounded())) % chance of still buying"
            if let pBuy = state.pBuy { line += ", \(Int((pBuy * 100).rounded())) % of buying within \(horizon) days" }
            if let expected = state.expectedPurchases { line += ", \(fixed(expected, 1)) purchases expected in them" }
            if let value = state.expectedValue { line += ", about \(value.formatted(decimals: 0)) each" }
            if let atRisk = state.valueAtRisk, atRisk > .zero { line += "; value at risk \(atRisk.formatted(decimals: 0))" }
            out.append(line + ".")
        }
        if let facts, !facts.categories.isEmpty {
            let listed = facts.categories.prefix(8).map {
                "\(escapeControls($0.category)) \(Int(($0.share * 100).rounded())) % (last \($0.lastPurchase.iso))"
            }
            out.append("Categories, by share of purchase days: " + listed.joined(separator: ", ") + ".")
        }
        if let facts, facts.recentGross > .zero {
            out.append(
                "Returns: \(facts.recentReturns.formatted()) of \(facts.recentGross.formatted()) bought in the returns window.")
        }
        out.append("")
        if state.findings.isEmpty {
            out.append("No criterion fired.")
        } else {
            out.append("What fired:")
            for finding in state.findings {
                let category = finding.category.map { " \(escapeControls($0))" } ?? ""
                out.append("  \(finding.criterion.rawValue)\(category) (\(finding.verdict.rawValue)): \(finding.explanation)")
            }
        }
        if !changes.isEmpty {
            out.append("")
            out.append("Status history:")
            for change in changes {
                let move = (change.from.map { "\($0.rawValue) → " } ?? "") + change.to.rawValue
                out.append("  \(change.day.iso)  \(move.padding(toLength: 20, withPad: " ", startingAt: 0)) \(change.reason)")
            }
        }
        return out.joined(separator: "\n")
    }

    static func json(_ client: ClientSummary, facts: ClientFacts?, changes: [StatusChange]) -> String {
        var object: [String: Any] = [
            "client_id": client.clientID, "client_name": client.name as Any, "manager": client.manager as Any,
            "region": client.region as Any, "documents": client.documents,
            "revenue": Double(client.revenue.decimalString())!,
            "first_purchase": client.firstPurchase?.iso as Any, "last_purchase": client.lastPurchase?.iso as Any,
        ]
        if let state = client.state {
            object["as_of"] = state.asOf.iso
            object["status"] = state.status.rawValue
            object["status_since"] = state.statusSince.iso
            object["reason"] = state.reason
            object["abc"] = state.abc.rawValue
            object["xyz"] = state.xyz?.rawValue as Any
            object["share"] = state.share
            object["dependence"] = state.dependence.rawValue
            object["typical_interval_days"] = state.typicalInterval as Any
            object["spread_days"] = state.spread as Any
            object["expected_next_purchase"] = state.expectedNext?.iso as Any
            object["days_silent"] = state.daysSilent as Any
            object["p_alive"] = state.pAlive as Any
            object["p_buy"] = state.pBuy as Any
            object["expected_purchases"] = state.expectedPurchases as Any
            object["silence_probability"] = state.silenceProbability as Any
            object["mean_gap_working_days"] = state.meanGap as Any
            object["gap_variation"] = state.gapVariation as Any
            object["season"] = state.season as Any
            object["expected_value"] = state.expectedValue.map { Double($0.decimalString())! } as Any
            object["value_at_risk"] = state.valueAtRisk.map { Double($0.decimalString())! } as Any
            object["findings"] = state.findings.map { finding -> [String: Any] in
                var numbers: [String: Any] = [:]
                for measure in finding.numbers { numbers[measure.name] = measure.value }
                return [
                    "criterion": finding.criterion.rawValue, "verdict": finding.verdict.rawValue,
                    "category": finding.category as Any, "numbers": numbers, "explanation": finding.explanation,
                ]
            }
        }
        if let facts {
            object["categories"] = facts.categories.map {
                ["category": $0.category, "share": $0.share, "purchase_days": $0.purchases, "last_purchase": $0.lastPurchase.iso]
            }
        }
        object["status_history"] = changes.map {
            ["day": $0.day.iso, "from": $0.from?.rawValue as Any, "to": $0.to.rawValue, "reason": $0.reason]
        }
        let data = try! JSONSerialization.data(withJSONObject: [object], options: [.sortedKeys, .prettyPrinted])
        return String(decoding: data, as: UTF8.self)
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

/// A value in an error message: quoted, control characters escaped.
func quotedForMessage(_ text: String) -> String {
    "\"" + escapeControls(text) + "\""
}
