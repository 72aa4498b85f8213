import Foundation
import GRDB
import WinbackCore

extension AppDatabase {
    /// The live book's view: every open alert, the latest scan's win-back list, the trend up to `asOf`, and the
    /// feed as the scan judged it (or, without one, judged on the book's own pauses).
    public func liveView(asOf: Day, feed: FeedCheck? = nil) throws -> DayView {
        DayView(
            asOf: asOf, alerts: try alerts(), winback: try winbackList(), trend: try failureTrend(through: asOf),
            feed: try feed ?? feedCheck(asOf: asOf, staleAfterDays: nil))
    }

    /// Failure counts in every dimension up to `asOf`: the latest scan of each day, oldest first.
    public func failureTrend(through asOf: Day) throws -> [FailureDimension: [FailurePoint]] {
        var trend: [FailureDimension: [FailurePoint]] = [:]
        for dimension in FailureDimension.allCases {
            trend[dimension] = try failureSeries(dimension).filter { $0.asOf <= asOf }
        }
        return trend
    }

    /// A replayed day's view from what its scan found. Each alert carries the id of the stored alert of the same
    /// client, kind and category whose episode had begun by that day, if there is one (else id 0, shown as null).
    public func replayView(
        asOf: Day, outcome: ScanOutcome<Int64>, labels: [Int64: ClientLabel], feed: FeedCheck
    ) throws -> DayView {
        struct Key: Hashable {
            var client: Int64
            var kind: String
            var category: String
        }
        let stored: [Key: (id: Int64, firstSeen: Day)] = try writer.read { db in
            var found: [Key: (Int64, Day)] = [:]
            let rows = try Row.fetchCursor(
                db,
                sql: """
                    SELECT id, coalesce(client, 0) AS client, kind, category, first_seen FROM alerts
                    WHERE first_seen <= ? AND (resolved_on IS NULL OR resolved_on >= ?) ORDER BY first_seen, id
                    """, arguments: [asOf.number, asOf.number])
            while let row = try rows.next() {
                found[Key(client: row["client"], kind: row["kind"], category: row["category"])] =
                    (row["id"], Day(number: row["first_seen"]))
            }
            return found
        }
        let alerts = outcome.alerts.map { client, candidate -> Alert in
            let label = client.flatMap { labels[$0] }
            let match = stored[
                Key(client: client ?? 0, kind: candidate.kind.rawValue, category: candidate.category ?? "")]
            return Alert(
                id: match?.id ?? 0, clientID: label?.clientID, clientName: label?.name, manager: label?.manager,
                kind: candidate.kind, category: candidate.category, severity: candidate.severity, status: .new,
                title: candidate.title, explanation: candidate.explanation, offer: candidate.offer,
                value: candidate.value, firstSeen: match?.firstSeen ?? asOf, lastSeen: asOf)
        }
        .sorted { ($1.severity, $0.value ?? .zero, $1.firstSeen) < ($0.severity, $1.value ?? .zero, $0.firstSeen) }
        let winback = outcome.winback.enumerated().map { index, entry in
            let label = labels[entry.client]
            return WinbackListEntry(
                rank: index + 1, clientID: label?.clientID ?? "", clientName: label?.name, manager: label?.manager,
                region: label?.region, status: entry.status, reason: entry.reason, value: entry.value,
                missedCycles: entry.missedCycles, offer: entry.offer, abc: label?.abc, asOf: asOf,
                pAlive: entry.pAlive, valueAtRisk: entry.valueAtRisk, pBuy: entry.pBuy)
        }
        return DayView(
            asOf: asOf, alerts: alerts, winback: winback, trend: try failureTrend(through: asOf), feed: feed)
    }
}
