import Foundation
import GRDB
import WinbackCore

/// Fetchable from the store's rows; the value itself is Core's.
extension ClientSummary: FetchableRecord {
    /// A `clients` row with its purchase span, documents, revenue and (when scanned) ``ClientState/columns``.
    public init(row: Row) throws {
        self.init(
            clientID: row["client_id"], name: row["name"], manager: row["manager"], region: row["region"],
            firstPurchase: (row["first_purchase"] as Int32?).map(Day.init(number:)),
            lastPurchase: (row["last_purchase"] as Int32?).map(Day.init(number:)), documents: row["documents"],
            revenue: Money(scaled: row["revenue"]), state: row["status"] == nil ? nil : try ClientState(row: row))
    }
}

extension AppDatabase {
    /// Every client `filter` keeps, with its purchase span, document count and revenue, by revenue, highest first:
    /// read from the clients, their totals and states, never from the sales lines. A listing shows no findings: its
    /// states come without them (``clientSummary(_:)`` has them).
    public func clientSummaries(_ filter: ClientFilter = ClientFilter()) throws -> [ClientSummary] {
        try writer.read { db in
            var query = FilterQuery()
            try filter.apply(to: &query, client: "c.id", db)
            return try ClientSummary.fetchAll(
                db,
                sql: """
                    SELECT \(ClientState.listedColumns), c.client_id, c.name, c.manager, c.region,
                           s.first_purchase, s.last_purchase,
                           coalesce(s.documents, 0) AS documents, coalesce(s.revenue, 0) AS revenue
                    FROM clients c
                    LEFT JOIN client_totals s ON s.client = c.id
                    LEFT JOIN client_states t ON t.client = c.id
                    \(query.whereClause)
                    ORDER BY revenue DESC, c.client_id
                    """, arguments: StatementArguments(query.arguments))
        }
    }

    /// How many sales lines are stored (for reports and tests).
    public func salesLineCount() throws -> Int {
        try writer.read { db in try Int.fetchOne(db, sql: "SELECT count(*) FROM sales") ?? 0 }
    }
}

/// Fetchable from the store's rows; the value itself is Core's.
extension ClientState: FetchableRecord {
    /// The `client_states t` columns to select, renamed where they would clash with a summary's.
    static let columns = """
        t.as_of, t.status, t.status_since, t.reason, t.abc, t.xyz, t.variation, t.share, t.dependence,
        t.revenue AS state_revenue, t.margin, t.first_purchase AS state_first_purchase,
        t.last_purchase AS state_last_purchase, t.purchase_days, t.typical_interval, t.spread, t.expected_next,
        t.days_silent, t.findings, t.p_alive, t.expected_purchases, t.expected_value, t.value_at_risk,
        t.p_buy, t.silence_probability, t.mean_gap, t.gap_variation, t.season
        """
    /// The same without the findings, which a listing does not show and which cost a JSON decoding per row.
    static let listedColumns = columns.replacingOccurrences(of: "t.findings, ", with: "")

    public init(row: Row) throws {
        func day(_ column: String) -> Day? { (row[column] as Int32?).map(Day.init(number:)) }
        func money(_ column: String) -> Money? { (row[column] as Int64?).map(Money.init(scaled:)) }
        guard let status = ClientStatus(rawValue: row["status"]), let abc = ABCClass(rawValue: row["abc"]),
            let dependence = Dependence(rawValue: row["dependence"])
        else { throw DatabaseError(message: "client_states holds an unknown status, class or dependence") }
        let findings: String = row.hasColumn("findings") ? row["findings"] : "[]"
        self.init(
            asOf: Day(number: row["as_of"]), status: status, statusSince: Day(number: row["status_since"]),
            reason: row["reason"], abc: abc, xyz: (row["xyz"] as String?).flatMap(XYZClass.init(rawValue:)),
            variation: row["variation"], share: row["share"], dependence: dependence,
            revenue: Money(scaled: row["state_revenue"]), margin: money("margin"),
            firstPurchase: day("state_first_purchase"), lastPurchase: day("state_last_purchase"),
            purchaseDays: row["purchase_days"], rhythm: row["typical_interval"], spread: row["spread"],
            expectedNext: day("expected_next"), daysSilent: row["days_silent"],
            findings: try StoredFindings.findings(findings), pAlive: row["p_alive"],
            expectedPurchases: row["expected_purchases"], expectedValue: money("expected_value"),
            valueAtRisk: money("value_at_risk"), pBuy: row["p_buy"], silenceProbability: row["silence_probability"],
            meanGap: row["mean_gap"], gapVariation: row["gap_variation"], season: row["season"])
    }
}

/// Fetchable from the store's rows; the value itself is Core's.
extension StatusChange: FetchableRecord {
    public init(row: Row) throws {
        guard let to = ClientStatus(rawValue: row["to_status"]) else {
            throw DatabaseError(message: "status_changes holds an unknown status")
        }
        self.init(
            day: Day(number: row["day"]), from: (row["from_status"] as String?).flatMap(ClientStatus.init(rawValue:)),
            to: to, reason: row["reason"])
    }
}

extension AppDatabase {
    /// One client's master data, purchases summary and latest state, by its client_id.
    public func clientSummary(_ clientID: String) throws -> (key: Int64, summary: ClientSummary)? {
        try writer.read { db in
            guard
                let key = try Int64.fetchOne(
                    db, sql: "SELECT id FROM clients WHERE client_id = ?", arguments: [clientID])
            else { return nil }
            let summary = try ClientSummary.fetchOne(
                db,
                sql: """
                    SELECT \(ClientState.columns), c.client_id, c.name, c.manager, c.region,
                           s.first_purchase, s.last_purchase,
                           coalesce(s.documents, 0) AS documents, coalesce(s.revenue, 0) AS revenue
                    FROM clients c
                    LEFT JOIN client_totals s ON s.client = c.id
                    LEFT JOIN client_states t ON t.client = c.id
                    WHERE c.id = ?
                    """, arguments: [key])
            return summary.map { (key, $0) }
        }
    }

    /// A client's status changes, oldest first.
    public func statusChanges(client: Int64) throws -> [StatusChange] {
        try writer.read { db in
            try StatusChange.fetchAll(
                db, sql: "SELECT * FROM status_changes WHERE client = ? ORDER BY day, id", arguments: [client])
        }
    }

    /// One client's history up to `asOf`, from the aggregates.
    public func history(client: Int64, clientID: String, asOf: Day) throws -> ClientHistory {
        try writer.read { db in try ClientHistoryReader(db: db, asOf: asOf, client: client).history(clientID: clientID)
        }
    }
}
