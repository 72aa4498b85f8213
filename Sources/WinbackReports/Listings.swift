import Foundation
import WinbackCore

/// The tables every listing is built from, shared by the command line and the outbox so that both say the same.
public enum Listings {
    /// The alert list: every column in JSON and CSV; a terminal table keeps what fits.
    public static func alerts(_ alerts: [Alert], format: OutputFormat) -> Listing {
        var report = Listing(columns: [
            .init(key: "id", header: "id"),
            .init(key: "severity", header: "severity"),
            .init(key: "status", header: "status"),
            .init(key: "kind", header: "kind"),
            .init(key: "client_id", header: "client"),
            .init(key: "client_name", header: "name", maxWidth: 24),
            .init(key: "manager", header: "manager", maxWidth: 16),
            .init(key: "title", header: "title", maxWidth: 70),
            .init(key: "explanation", header: "explanation", maxWidth: 200),
            .init(key: "category", header: "category"),
            .init(key: "value", header: "value"),
            .init(key: "offer", header: "offer", maxWidth: 200),
            .init(key: "first_seen", header: "since"),
            .init(key: "last_seen", header: "seen"),
            .init(key: "snoozed_until", header: "snoozed to"),
            .init(key: "resolution", header: "resolution"),
        ])
        for alert in alerts {
            report.append([
                .integer(Int(alert.id)), .text(alert.severity.rawValue), .text(alert.status.rawValue),
                .text(alert.kind.rawValue), .text(alert.clientID), .text(alert.clientName), .text(alert.manager),
                .text(alert.title), .text(alert.explanation), .text(alert.category),
                format == .table ? .number(alert.value?.formatted(decimals: 0)) : .money(alert.value),
                .structured(alert.offer.map(describe), json(alert.offer)), .date(alert.firstSeen),
                .date(alert.lastSeen), .date(alert.snoozedUntil),
                .text(alert.resolution),
            ])
        }
        return format == .table
            ? report.dropping(["explanation", "offer", "client_name", "last_seen", "resolution"]) : report
    }

    /// The win-back list.
    public static func winback(_ rows: [WinbackListEntry], format: OutputFormat) -> Listing {
        var report = Listing(columns: [
            .init(key: "rank", header: "#"),
            .init(key: "client_id", header: "client"),
            .init(key: "client_name", header: "name", maxWidth: 24),
            .init(key: "manager", header: "manager", maxWidth: 16),
            .init(key: "status", header: "status"),
            .init(key: "abc", header: "abc"),
            .init(key: "value", header: "value/year"),
            .init(key: "p_alive", header: "p alive"),
            .init(key: "p_buy", header: "p buy"),
            .init(key: "value_at_risk", header: "exp. loss"),
            .init(key: "missed_cycles", header: "missed"),
            .init(key: "reason", header: "reason", maxWidth: 60),
            .init(key: "offer", header: "offer", maxWidth: 60),
            .init(key: "offer_kind", header: "kind"),
            .init(key: "discount", header: "discount"),
            .init(key: "paused_until", header: "no visit before"),
            .init(key: "as_of", header: "as of"),
        ])
        for row in rows {
            report.append([
                .integer(row.rank), .text(row.clientID), .text(row.clientName), .text(row.manager),
                .text(row.status.rawValue), .text(row.abc?.rawValue),
                format == .table ? .number(row.value.formatted(decimals: 0)) : .money(row.value),
                .number(row.pAlive.map { fixed($0, format == .table ? 2 : 4) }),
                .number(row.pBuy.map { fixed($0, format == .table ? 2 : 4) }),
                format == .table ? .number(row.valueAtRisk?.formatted(decimals: 0)) : .money(row.valueAtRisk),
                .integer(row.missedCycles), .text(row.reason), .text(row.offer.map(describe)),
                .text(row.offer?.kind.rawValue), .number(row.offer?.discount.map { fixed($0, 1) }),
                .date(row.offer?.pausedUntil), .date(row.asOf),
            ])
        }
        return format == .table ? report.dropping(["offer_kind", "discount", "paused_until", "as_of"]) : report
    }

    /// Every client with its purchases and what the latest scan said (`winback clients`).
    public static func clients(_ clients: [ClientSummary], format: OutputFormat) -> Listing {
        var listing = Listing(columns: [
            .init(key: "client_id", header: "client"),
            .init(key: "client_name", header: "name"),
            .init(key: "manager", header: "manager"),
            .init(key: "region", header: "region"),
            .init(key: "status", header: "status"),
            .init(key: "abc", header: "abc"),
            .init(key: "xyz", header: "xyz"),
            .init(key: "share", header: "share"),
            .init(key: "first_purchase", header: "first"),
            .init(key: "last_purchase", header: "last"),
            .init(key: "documents", header: "docs"),
            .init(key: "revenue", header: "revenue"),
            .init(key: "typical_interval_days", header: "every"),
            .init(key: "expected_next_purchase", header: "next"),
            .init(key: "days_silent", header: "silent"),
            .init(key: "missed_cycles", header: "missed"),
            .init(key: "p_alive", header: "p alive"),
            .init(key: "p_buy", header: "p buy"),
            .init(key: "expected_purchases", header: "exp. buys"),
            .init(key: "silence_probability", header: "silence p"),
            .init(key: "season", header: "season"),
        ])
        // Which scan the status and the numbers are as of, for a file read later (a table is read at once).
        let dated = format != .table
        if dated { listing.columns.append(.init(key: "as_of", header: "as of")) }
        for client in clients {
            let state = client.state
            listing.append(
                [
                    .text(client.clientID), .text(client.name), .text(client.manager), .text(client.region),
                    .text(state?.status.rawValue), .text(state?.abc.rawValue), .text(state?.xyz?.rawValue),
                    format == .table
                        ? .number(state.map { fixed($0.share * 100, 1) + " %" })
                        : .number(state.map { fixed($0.share, 6) }),
                    .date(client.firstPurchase), .date(client.lastPurchase), .integer(client.documents),
                    format == .table ? .number(client.revenue.formatted()) : .money(client.revenue),
                    .number(state?.rhythm.map { fixed($0, 1) }), .date(state?.expectedNext),
                    .integer(state?.daysSilent), .integer(state?.missedCycles),
                    .number(state?.pAlive.map { fixed($0, format == .table ? 2 : 4) }),
                    .number(state?.pBuy.map { fixed($0, format == .table ? 2 : 4) }),
                    .number(state?.expectedPurchases.map { fixed($0, 2) }),
                    .number(state?.silenceProbability.map { format == .table ? rarity($0) : "\($0)" }),
                    .text(state?.season),
                ] + (dated ? [.date(state?.asOf)] : []))
        }
        return listing
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
            .init(key: "as_of", header: "as of"),
            .init(key: "direction", header: "direction", maxWidth: 24),
            .init(key: "clients", header: "clients"),
            .init(key: "at_risk", header: "at risk"),
            .init(key: "at_risk_change", header: "±"),
            .init(key: "lost", header: "lost"),
            .init(key: "lost_change", header: "±"),
            .init(key: "became_at_risk", header: "new risk"),
            .init(key: "became_lost", header: "new lost"),
            .init(key: "came_back", header: "back"),
            .init(key: "won_back", header: "won back"),
            .init(key: "category_drops", header: "cat. drops"),
            .init(key: "revenue_at_risk", header: "revenue at risk"),
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
    public static func bars(_ rows: [(label: String, atRisk: Int, lost: Int)], width: Int = 50) -> String {
        let largest = max(1, rows.map { $0.atRisk + $0.lost }.max() ?? 1)
        let labelWidth = min(24, rows.map { $0.label.count }.max() ?? 0)
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
