import Foundation
import GRDB
import WinbackCore

/// Read from the store's rows; the value itself is Core's.
extension ClientSummary {
    /// The columns after the state's, in the order ``fetchAll(_:sql:arguments:findings:)`` reads them.
    static let columns = """
        c.client_id, c.name, c.manager, c.region, s.first_purchase, s.last_purchase,
        coalesce(s.documents, 0) AS documents, coalesce(s.revenue, 0) AS revenue
        """

    /// Every summary a query of ``ClientState/listedColumns`` (or ``ClientState/columns`` when `findings`) then
    /// ``columns`` returns: master data, purchase span, documents, revenue and (when scanned) the state. Stepped
    /// through SQLite's C API and read by position: a listing reads 100,000 of them, and GRDB's rows cost more than
    /// the query.
    static func fetchAll(
        _ db: Database, sql: String, arguments: StatementArguments = StatementArguments(), findings: Bool,
        reserving capacity: Int = 0
    ) throws -> [ClientSummary] {
        let statement = try db.makeStatement(sql: sql)
        try statement.setArguments(arguments)
        let rows = RawCursor(statement, db: db)
        let at = Int32(ClientState.listedCount + (findings ? 1 : 0))
        var out: [ClientSummary] = []
        out.reserveCapacity(capacity)
        while try rows.step() {
            out.append(
                ClientSummary(
                    clientID: rows.text(at), name: rows.optionalText(at + 1), manager: rows.optionalText(at + 2),
                    region: rows.optionalText(at + 3), firstPurchase: rows.day(at + 4), lastPurchase: rows.day(at + 5),
                    documents: Int(rows.int64(at + 6)), revenue: Money(scaled: rows.int64(at + 7)),
                    state: rows.isNull(1) ? nil : try ClientState(rows, findings: findings)))
        }
        return out
    }
}

extension ClientSummary {
    /// Sorts `summaries` by revenue, highest first, then by client id as SQLite's `ORDER BY revenue DESC, client_id`
    /// orders them (the ids' UTF-8 bytes).
    static func sortByRevenue(_ summaries: inout [ClientSummary]) {
        // Sorted by keys taken out once, revenue and position side by side; the ids are compared only between equal
        // revenues. Comparing the summaries themselves copied them, strings and all.
        summaries.withUnsafeMutableBufferPointer { summaries in
            var keys = summaries.indices.map { (revenue: summaries[$0].revenue.scaled, index: $0) }
            keys.sort { a, b in
                if a.revenue != b.revenue { return a.revenue > b.revenue }
                return summaries[a.index].clientID.utf8.lexicographicallyPrecedes(summaries[b.index].clientID.utf8)
            }
            // Put in that order in place, cycle by cycle: a buffer's swaps move the values, where an array's copied
            // each one, retaining its strings, and copied it back (the sort took 80 ms of the 100,000-client listing,
            // 35 ms now).
            var placed = [Bool](repeating: false, count: keys.count)
            for start in keys.indices where !placed[start] {
                // Position `target` takes the summary from `keys[target].index`, which frees that position next.
                var target = start
                while keys[target].index != start {
                    summaries.swapAt(target, keys[target].index)
                    placed[target] = true
                    target = keys[target].index
                }
                placed[target] = true
            }
        }
    }
}

extension AppDatabase {
    /// Every client `filter` keeps, with its purchase span, document count and revenue, by revenue, highest first
    /// (then by client id, byte by byte): read from the clients, their totals and states, never from the sales lines.
    /// A listing shows no findings: its states come without them (``clientSummary(_:)`` has them).
    public func clientSummaries(_ filter: ClientFilter = ClientFilter()) throws -> [ClientSummary] {
        var found = try writer.read { db in
            var query = FilterQuery()
            try filter.apply(to: &query, client: "c.id", db)
            // Read in the tables' order and sorted here: SQLite's sorter would copy each whole row (about 0.6 s of
            // the 100,000-client listing), where sorting positions by two keys takes a few milliseconds.
            return try ClientSummary.fetchAll(
                db,
                sql: """
                    SELECT \(ClientState.listedColumns), \(ClientSummary.columns)
                    FROM clients c
                    LEFT JOIN client_totals s ON s.client = c.id
                    \(ClientState.joined)
                    \(query.whereClause)
                    """, arguments: StatementArguments(query.arguments), findings: false,
                // Room for every client at once: growing the array copied it over and over.
                reserving: try Int.fetchOne(db, sql: "SELECT count(*) FROM clients") ?? 0)
        }
        ClientSummary.sortByRevenue(&found)
        return found
    }

    /// How many sales lines are stored (for reports and tests).
    public func salesLineCount() throws -> Int {
        try writer.read { db in try Int.fetchOne(db, sql: "SELECT count(*) FROM sales") ?? 0 }
    }
}

/// Read from the store's rows; the value itself is Core's.
extension ClientState {
    /// The columns of `client_verdicts t` and `client_numbers n` to select (``joined``), in the order
    /// ``init(row:)`` reads them; the findings come last.
    static let columns = listedColumns + ", t.findings"
    /// The same without the findings, which a listing does not show and which cost a JSON decoding per row.
    static let listedColumns = """
        n.as_of, t.status, t.status_since, t.reason, t.abc, t.xyz, t.variation, n.share, t.dependence,
        t.revenue AS state_revenue, t.margin, t.first_purchase AS state_first_purchase,
        t.last_purchase AS state_last_purchase, t.purchase_days, t.typical_interval, t.spread, t.expected_next,
        n.days_silent, n.p_alive, n.expected_purchases, n.expected_value, n.value_at_risk,
        n.p_buy, n.silence_probability, n.mean_gap, n.gap_variation, t.season
        """
    /// The joins that bring the state's two tables to `clients c`: each client has a row in both or in neither.
    static let joined = """
        LEFT JOIN client_verdicts t ON t.client = c.id
        LEFT JOIN client_numbers n ON n.client = c.id
        """
    /// How many columns ``listedColumns`` are (none of them has a comma of its own).
    static let listedCount = listedColumns.split(separator: ",").count

    /// From a row that starts with ``listedColumns``, then the findings when `findings` says they were selected.
    init(_ row: RawCursor, findings withFindings: Bool) throws {
        func money(_ index: Int32) -> Money? { row.isNull(index) ? nil : Money(scaled: row.int64(index)) }
        guard let status = ClientStatus(rawValue: row.text(1)), let abc = ABCClass(rawValue: row.text(4)),
            let dependence = Dependence(rawValue: row.text(8))
        else { throw DatabaseError(message: "client_verdicts holds an unknown status, class or dependence") }
        let findings = withFindings ? row.text(Int32(Self.listedCount)) : "[]"
        self.init(
            asOf: Day(number: Int32(row.int64(0))), status: status, statusSince: Day(number: Int32(row.int64(2))),
            reason: row.text(3), abc: abc, xyz: row.optionalText(5).flatMap(XYZClass.init(rawValue:)),
            variation: row.optionalDouble(6), share: row.double(7), dependence: dependence,
            revenue: Money(scaled: row.int64(9)), margin: money(10), firstPurchase: row.day(11),
            lastPurchase: row.day(12), purchaseDays: Int(row.int64(13)), rhythm: row.optionalDouble(14),
            spread: row.optionalDouble(15), expectedNext: row.day(16),
            daysSilent: row.isNull(17) ? nil : Int(row.int64(17)), findings: try StoredFindings.findings(findings),
            pAlive: row.optionalDouble(18), expectedPurchases: row.optionalDouble(19), expectedValue: money(20),
            valueAtRisk: money(21), pBuy: row.optionalDouble(22), silenceProbability: row.optionalDouble(23),
            meanGap: row.optionalDouble(24), gapVariation: row.optionalDouble(25), season: row.optionalText(26))
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
            let summary = try ClientSummary.fetchAll(
                db,
                sql: """
                    SELECT \(ClientState.columns), \(ClientSummary.columns)
                    FROM clients c
                    LEFT JOIN client_totals s ON s.client = c.id
                    \(ClientState.joined)
                    WHERE c.id = ?
                    """, arguments: [key], findings: true
            ).first
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
