import Foundation
import WinbackCore

/// The tables every listing is built from, shared by the command line and the outbox so that both say the same.
public enum Listings {
    /// The alert list: every column in JSON and CSV; a terminal table keeps what fits, the id and the title (which
    /// names the client and what happened) always.
    public static func alerts(_ alerts: [Alert], format: OutputFormat) -> Listing {
        let columns: [Listing.Column] = [
            .init(key: "id", header: "id", priority: .key),
            .init(key: "severity", header: "severity", priority: .medium),
            .init(key: "status", header: "status", priority: .medium),
            .init(key: "kind", header: "kind", priority: .low),
            .init(key: "client_id", header: "client", priority: .low),
            .init(key: "client_name", header: "name", maxWidth: 24, priority: .detail),
            .init(key: "manager", header: "manager", maxWidth: 16, priority: .medium),
            .init(key: "title", header: "title", maxWidth: 80, priority: .key, flex: .init(share: 0.6, lines: 3)),
            .init(key: "explanation", header: "explanation", maxWidth: 200, priority: .detail),
            .init(key: "category", header: "category", priority: .low),
            .init(key: "value", header: "value", priority: .high),
            .init(key: "offer", header: "offer", maxWidth: 200, priority: .detail),
            .init(key: "first_seen", header: "since", priority: .low),
            .init(key: "last_seen", header: "seen", priority: .detail),
            .init(key: "snoozed_until", header: "snoozed to", priority: .low),
            .init(key: "resolution", header: "resolution", priority: .detail),
        ]
        // Each row made as it is written, in parts on the machine's threads.
        return Listing(columns: columns, count: alerts.count) { index in
            let alert = alerts[index]
            return [
                .integer(Int(alert.id)), .text(alert.severity.rawValue), .text(alert.status.rawValue),
                .text(alert.kind.rawValue), .text(alert.clientID), .text(alert.clientName), .text(alert.manager),
                .text(alert.title), .text(alert.explanation), .text(alert.category),
                format == .table ? .number(alert.value?.formatted(decimals: 0)) : .money(alert.value),
                // The offer's object only where it is shown: a table or a CSV writes its line of text.
                .structured(alert.offer.map(describe), format == .json ? json(alert.offer) : .null),
                .date(alert.firstSeen),
                .date(alert.lastSeen), .date(alert.snoozedUntil),
                .text(alert.resolution),
            ]
        }
    }

    /// The win-back list: in a narrow terminal who (by name), why, what it is worth and the offer come first.
    public static func winback(_ rows: [WinbackListEntry], format: OutputFormat) -> Listing {
        let columns: [Listing.Column] = [
            .init(key: "rank", header: "#", priority: .key),
            .init(key: "client_id", header: "client", priority: .high),
            .init(key: "client_name", header: "name", maxWidth: 24, priority: .key, flex: .init(share: 0.15, lines: 2)),
            .init(key: "manager", header: "manager", maxWidth: 16, priority: .low),
            .init(key: "status", header: "status", priority: .medium),
            .init(key: "abc", header: "abc", priority: .low),
            .init(key: "value", header: "value/year", priority: .high),
            .init(key: "p_alive", header: "p alive", priority: .low),
            .init(key: "p_buy", header: "p buy", priority: .low),
            .init(key: "value_at_risk", header: "exp. loss", priority: .low),
            .init(key: "missed_cycles", header: "missed", priority: .low),
            .init(key: "reason", header: "reason", maxWidth: 60, priority: .key, flex: .init(share: 0.3, lines: 3)),
            .init(key: "offer", header: "offer", maxWidth: 60, priority: .high, flex: .init(share: 0.22, lines: 3)),
            .init(key: "offer_kind", header: "kind", priority: .detail),
            .init(key: "discount", header: "discount", priority: .detail),
            .init(key: "paused_until", header: "no visit before", priority: .detail),
            .init(key: "as_of", header: "as of", priority: .detail),
        ]
        // Each row made as it is written, in parts on the machine's threads.
        return Listing(columns: columns, count: rows.count) { index in
            let row = rows[index]
            return [
                .integer(row.rank), .text(row.clientID), .text(row.clientName), .text(row.manager),
                .text(row.status.rawValue), .text(row.abc?.rawValue),
                format == .table ? .number(row.value.formatted(decimals: 0)) : .money(row.value),
                .number(row.pAlive.map { fixed($0, format == .table ? 2 : 4) }),
                .number(row.pBuy.map { fixed($0, format == .table ? 2 : 4) }),
                format == .table ? .number(row.valueAtRisk?.formatted(decimals: 0)) : .money(row.valueAtRisk),
                .integer(row.missedCycles), .text(row.reason), .text(row.offer.map(describe)),
                .text(row.offer?.kind.rawValue), .number(row.offer?.discount.map { fixed($0, 1) }),
                .date(row.offer?.pausedUntil), .date(row.asOf),
            ]
        }
    }

    /// Every client with its purchases and what the latest scan said (`winback clients`).
    public static func clients(_ clients: [ClientSummary], format: OutputFormat) -> Listing {
        var columns: [Listing.Column] = [
            .init(key: "client_id", header: "client", priority: .key),
            .init(key: "client_name", header: "name", priority: .key, flex: .init(share: 0.2)),
            .init(key: "manager", header: "manager", priority: .medium),
            .init(key: "region", header: "region", priority: .low),
            .init(key: "status", header: "status", priority: .high),
            .init(key: "abc", header: "abc", priority: .high),
            .init(key: "xyz", header: "xyz", priority: .low),
            .init(key: "share", header: "share", priority: .medium),
            .init(key: "first_purchase", header: "first", priority: .low),
            .init(key: "last_purchase", header: "last", priority: .high),
            .init(key: "documents", header: "docs", priority: .low),
            .init(key: "revenue", header: "revenue", priority: .high),
            .init(key: "typical_interval_days", header: "every", priority: .medium),
            .init(key: "expected_next_purchase", header: "next", priority: .low),
            .init(key: "days_silent", header: "silent", priority: .medium),
            .init(key: "missed_cycles", header: "missed", priority: .low),
            .init(key: "p_alive", header: "p alive", priority: .low),
            .init(key: "p_buy", header: "p buy", priority: .low),
            .init(key: "expected_purchases", header: "exp. buys", priority: .low),
            .init(key: "silence_probability", header: "silence p", priority: .low),
            .init(key: "season", header: "season", priority: .low),
        ]
        // Which scan the status and the numbers are as of, for a file read later (a table is read at once).
        let dated = format != .table
        if dated { columns.append(.init(key: "as_of", header: "as of")) }
        // Each row made as it is written: the whole book's listing is 2.2 million cells.
        return Listing(columns: columns, count: clients.count) { index in
            clients.withUnsafeBufferPointer { cells($0[index], format: format, dated: dated) }
        }
    }

    /// A client's row of ``clients(_:format:)``. Borrowed from the array's memory, not copied: a copy retained each of
    /// its strings (an array's subscript still copies).
    private static func cells(_ client: borrowing ClientSummary, format: OutputFormat, dated: Bool) -> [Listing.Cell] {
        let table = format == .table
        var row: [Listing.Cell] = [
            .text(client.clientID), .text(client.name), .text(client.manager), .text(client.region),
            .text(client.state?.status.rawValue), .text(client.state?.abc.rawValue),
            .text(client.state?.xyz?.rawValue),
            .number((client.state?.share).map { table ? fixed($0 * 100, 1) + " %" : fixed($0, 6) }),
            .date(client.firstPurchase), .date(client.lastPurchase), .integer(client.documents),
            table ? .number(client.revenue.formatted()) : .money(client.revenue),
            .number(client.state?.rhythm.map { fixed($0, 1) }), .date(client.state?.expectedNext),
            .integer(client.state?.daysSilent), .integer(client.state?.missedCycles),
            .number(client.state?.pAlive.map { fixed($0, table ? 2 : 4) }),
            .number(client.state?.pBuy.map { fixed($0, table ? 2 : 4) }),
            .number(client.state?.expectedPurchases.map { fixed($0, 2) }),
            .number(client.state?.silenceProbability.map { table ? rarity($0) : "\($0)" }),
            .text(client.state?.season),
        ]
        if dated { row.append(.date(client.state?.asOf)) }
        return row
    }

    /// One direction on one scan day, with the same direction on the scan day before.
    public struct Point: Sendable {
        public var point: FailurePoint
        /// The same direction on the previous scan day, if it was counted then.
        public var before: FailureCounts?
    }

    public static func withChanges(_ series: [FailurePoint]) -> [Point] {
        var last: [String: FailureCounts] = [:]
        return series.map { point in
            defer { last[point.direction] = point.counts }
            return Point(point: point, before: last[point.direction])
        }
    }

    /// Failures over time, or by direction.
    public static func trend(_ points: [Point], format: OutputFormat) -> Listing {
        var report = Listing(columns: [
            .init(key: "as_of", header: "as of", priority: .key),
            .init(key: "direction", header: "direction", maxWidth: 24, priority: .key, flex: .init(share: 0.2)),
            .init(key: "clients", header: "clients", priority: .medium),
            .init(key: "at_risk", header: "at risk", priority: .high),
            .init(key: "at_risk_change", header: "±", priority: .medium),
            .init(key: "lost", header: "lost", priority: .high),
            .init(key: "lost_change", header: "±", priority: .medium),
            .init(key: "became_at_risk", header: "new risk", priority: .low),
            .init(key: "became_lost", header: "new lost", priority: .low),
            .init(key: "came_back", header: "back", priority: .low),
            .init(key: "won_back", header: "won back", priority: .low),
            .init(key: "category_drops", header: "cat. drops", priority: .low),
            .init(key: "revenue_at_risk", header: "revenue at risk", priority: .high),
        ])
        for item in points {
            let c = item.point.counts
            func change(_ now: Int, _ before: Int?) -> Listing.Cell {
                guard let before else { return .number(nil) }
                let delta = now - before
                return .number(format == .table ? (delta > 0 ? "+\(delta)" : "\(delta)") : String(delta))
            }
            report.append([
                .date(item.point.asOf), .text(item.point.direction), .integer(c.clients), .integer(c.atRisk),
                change(c.atRisk, item.before?.atRisk), .integer(c.lost), change(c.lost, item.before?.lost),
                .integer(c.becameAtRisk), .integer(c.becameLost), .integer(c.cameBack), .integer(c.wonBack),
                .integer(c.categoryDrops),
                format == .table ? .number(c.revenueAtRisk.formatted(decimals: 0)) : .money(c.revenueAtRisk),
            ])
        }
        return report
    }
}

extension Listings {
    /// An offer as JSON, the same object in `alerts --format json` and in `alerts.jsonl`.
    public static func json(_ offer: Offer?) -> JSONObject.Value {
        guard let offer else { return .null }
        return .object(
            JSONObject([
                ("kind", .string(offer.kind.rawValue)), ("text", .string(offer.text)),
                ("discount_percent", offer.discount.map { .decimal(fixed($0, 1)) } ?? .null),
                ("gift", JSONObject.string(offer.gift)), ("no_visit_before", JSONObject.day(offer.pausedUntil)),
            ]))
    }
}

/// An offer in one line: its text, and the pause on personal contact when there is one.
public func describe(_ offer: Offer) -> String {
    var text = offer.text
    if let gift = offer.gift, !text.contains(gift) { text += " (gift: \(gift))" }
    if let paused = offer.pausedUntil { text += "; no personal visit before \(paused.iso) after a negative contact" }
    return text
}

/// Horizontal bars in the terminal: `▒` at risk, `█` lost.
public enum Chart {
    /// - Parameter lineWidth: the columns a line may take (the terminal's); the bars are shortened to fit, down to 10.
    public static func bars(
        _ rows: [(label: String, atRisk: Int, lost: Int)], width: Int = 50, lineWidth: Int? = nil
    ) -> String {
        let largest = max(1, rows.map { $0.atRisk + $0.lost }.max() ?? 1)
        let labelWidth = min(24, rows.map { $0.label.count }.max() ?? 0)
        let counts = rows.map { " \($0.lost) lost, \($0.atRisk) at risk".count }.max() ?? 0
        let width = lineWidth.map { min(width, max(10, $0 - labelWidth - 2 - counts)) } ?? width
        var out: [String] = []
        for row in rows {
            let lost = Int((Double(row.lost) / Double(largest) * Double(width)).rounded())
            let atRisk = Int((Double(row.atRisk) / Double(largest) * Double(width)).rounded())
            var label = escapeControls(String(row.label.prefix(labelWidth)))
            label += String(repeating: " ", count: max(0, labelWidth - label.count))
            out.append(
                "\(label) │\(String(repeating: "█", count: lost))\(String(repeating: "▒", count: atRisk)) \(row.lost) lost, \(row.atRisk) at risk"
            )
        }
        out.append(String(repeating: " ", count: labelWidth) + " └ █ lost  ▒ at risk")
        return out.joined(separator: "\n")
    }
}
