import Foundation
import GRDB
import WinbackCore

/// A row of the win-back list, with who the client is.
public struct WinbackRow: Sendable, Equatable, FetchableRecord {
    public var rank: Int
    public var clientID: String
    public var clientName: String?
    public var manager: String?
    public var region: String?
    public var status: ClientStatus
    public var reason: String
    public var value: Money
    public var missedCycles: Int?
    public var offer: Offer?
    public var abc: ABCClass?
    public var asOf: Day
    public var pAlive: Double?
    public var valueAtRisk: Money?
    public var pBuy: Double?

    public init(
        rank: Int, clientID: String, clientName: String?, manager: String?, region: String?, status: ClientStatus,
        reason: String, value: Money, missedCycles: Int?, offer: Offer?, abc: ABCClass?, asOf: Day, pAlive: Double?,
        valueAtRisk: Money?, pBuy: Double? = nil
    ) {
        self.pBuy = pBuy
        self.rank = rank
        self.clientID = clientID
        self.clientName = clientName
        self.manager = manager
        self.region = region
        self.status = status
        self.reason = reason
        self.value = value
        self.missedCycles = missedCycles
        self.offer = offer
        self.abc = abc
        self.asOf = asOf
        self.pAlive = pAlive
        self.valueAtRisk = valueAtRisk
    }

    public init(row: Row) throws {
        rank = row["rank"]
        clientID = row["client_id"]
        clientName = row["name"]
        manager = row["manager"]
        region = row["region"]
        guard let status = ClientStatus(rawValue: row["status"]) else {
            throw DatabaseError(message: "winback_list holds an unknown status")
        }
        self.status = status
        reason = row["reason"]
        value = Money(scaled: row["value"])
        missedCycles = row["missed_cycles"]
        offer = try (row["offer"] as String?).map { try JSONDecoder().decode(Offer.self, from: Data($0.utf8)) }
        abc = (row["abc"] as String?).flatMap(ABCClass.init(rawValue:))
        asOf = Day(number: row["as_of"])
        pAlive = row["p_alive"]
        pBuy = row["p_buy"]
        valueAtRisk = (row["value_at_risk"] as Int64?).map(Money.init(scaled:))
    }
}

/// Failure counts of one direction on one scan day.
public struct FailurePoint: Sendable, Equatable {
    public var asOf: Day
    public var direction: String
    public var counts: FailureCounts
}

extension AppDatabase {
    /// The latest scan's win-back list, by rank.
    public func winbackList() throws -> [WinbackRow] {
        try writer.read { db in
            try WinbackRow.fetchAll(
                db,
                sql: """
                    SELECT w.*, c.client_id, c.name, c.manager, c.region, t.abc, s.as_of
                    FROM winback_list w JOIN clients c ON c.id = w.client
                    JOIN scans s ON s.id = w.scan_id
                    LEFT JOIN client_states t ON t.client = w.client
                    ORDER BY w.rank
                    """)
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
