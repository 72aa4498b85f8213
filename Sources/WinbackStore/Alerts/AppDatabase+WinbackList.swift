import Foundation
import GRDB
import WinbackCore

/// Fetchable from the store's rows; the value itself is Core's.
extension WinbackListEntry: FetchableRecord {
    /// A `winback_list` row joined with its client, class and scan day (``AppDatabase/winbackList()``).
    public init(row: Row) throws {
        guard let status = ClientStatus(rawValue: row["status"]) else {
            throw DatabaseError(message: "winback_list holds an unknown status")
        }
        self.init(
            rank: row["rank"], clientID: row["client_id"], clientName: row["name"], manager: row["manager"],
            region: row["region"], status: status, reason: row["reason"], value: Money(scaled: row["value"]),
            missedCycles: row["missed_cycles"], offer: try Offer.stored(row["offer"]),
            abc: (row["abc"] as String?).flatMap(ABCClass.init(rawValue:)), asOf: Day(number: row["as_of"]),
            pAlive: row["p_alive"], valueAtRisk: (row["value_at_risk"] as Int64?).map(Money.init(scaled:)),
            pBuy: row["p_buy"])
    }
}

extension AppDatabase {
    /// The latest scan's win-back list, by rank: the entries whose clients `filter` keeps, the first `limit` of them
    /// when given.
    public func winbackList(limit: Int? = nil, filter: ClientFilter = ClientFilter()) throws -> [WinbackListEntry] {
        try writer.read { db in
            var query = FilterQuery()
            try filter.apply(to: &query, client: "w.client", among: "SELECT client FROM winback_list", db)
            query.arguments.append(limit.map { max($0, 0) } ?? -1)
            return try WinbackListEntry.fetchAll(
                db,
                sql: """
                    SELECT w.*, c.client_id, c.name, c.manager, c.region, t.abc, s.as_of
                    FROM winback_list w JOIN clients c ON c.id = w.client
                    JOIN scans s ON s.id = w.scan_id
                    LEFT JOIN client_states t ON t.client = w.client
                    \(query.whereClause)
                    ORDER BY w.rank LIMIT ?
                    """, arguments: StatementArguments(query.arguments))
        }
    }

    /// Failure counts over time in one dimension: the latest scan of each day, oldest first.
    public func failureSeries(_ dimension: FailureDimension) throws -> [FailurePoint] {
        try writer.read { db in
            try Row.fetchAll(
                db,
                sql: """
                    SELECT f.* FROM failure_stats f
                    JOIN (SELECT as_of, max(id) AS id FROM scans GROUP BY as_of) latest ON latest.id = f.scan_id
                    WHERE f.dimension = ?
                    ORDER BY f.as_of, f.direction
                    """, arguments: [dimension.rawValue]
            ).map { row in
                var counts = FailureCounts()
                counts.clients = row["clients"]
                counts.active = row["active"]
                counts.atRisk = row["at_risk"]
                counts.lost = row["lost"]
                counts.wonBack = row["won_back"]
                counts.new = row["new"]
                counts.becameAtRisk = row["became_at_risk"]
                counts.becameLost = row["became_lost"]
                counts.cameBack = row["came_back"]
                counts.categoryDrops = row["category_drops"]
                counts.revenueAtRisk = Money(scaled: row["revenue_at_risk"])
                return FailurePoint(asOf: Day(number: row["as_of"]), direction: row["direction"], counts: counts)
            }
        }
    }
}
