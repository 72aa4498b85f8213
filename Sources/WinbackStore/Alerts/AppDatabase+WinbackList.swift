import Foundation
import GRDB
import WinbackCore

/// Read from the store's rows; the value itself is Core's.
extension WinbackListEntry {
    /// The columns ``init(_:)`` reads, in its order: a `winback_list w` row joined with its client `c` and its
    /// scan's day (`scans s`).
    static let columns = """
        w.rank, w.status, w.reason, w.value, w.missed_cycles, w.offer, w.p_alive, w.value_at_risk, w.p_buy,
        c.client_id, c.name, c.manager, c.region, w.abc, s.as_of
        """
    /// How many ``columns`` are (none of them has a comma of its own).
    static let columnCount = columns.split(separator: ",").count

    /// From a row of ``columns``, read by position.
    init(_ row: RawCursor, offers: inout StoredOfferReader) throws {
        guard let status = ClientStatus(rawValue: row.text(1)) else {
            throw DatabaseError(message: "winback_list holds an unknown status")
        }
        self.init(
            rank: Int(row.int64(0)), clientID: row.text(9), clientName: row.optionalText(10),
            manager: row.optionalText(11), region: row.optionalText(12), status: status, reason: row.text(2),
            value: Money(scaled: row.int64(3)), missedCycles: row.isNull(4) ? nil : Int(row.int64(4)),
            offer: try offers.offer(row.optionalText(5)), abc: row.optionalText(13).flatMap(ABCClass.init(rawValue:)),
            asOf: row.requiredDay(14), pAlive: row.optionalDouble(6),
            valueAtRisk: row.isNull(7) ? nil : Money(scaled: row.int64(7)), pBuy: row.optionalDouble(8))
    }
}

extension AppDatabase {
    /// The latest scan's win-back list, by rank: the entries whose clients `filter` keeps, the first `limit` of them
    /// when given.
    public func winbackList(limit: Int? = nil, filter: ClientFilter = ClientFilter()) throws -> [WinbackListEntry] {
        try writer.read { db in
            var query = FilterQuery()
            try filter.apply(to: &query, client: "w.client", among: "SELECT client FROM winback_list", db)
            // The first few by the rank's index; the whole list in the table's order, which is the clients' (the
            // client is the key), and then sorted by rank here: going by the index fetched every row and its client
            // from another place in the file, 0.04 s of reading 17,000 entries of a 100,000-client book.
            let order = limit.map { limit in
                query.arguments.append(max(limit, 0))
                return "ORDER BY w.rank LIMIT ?"
            }
            let statement = try db.makeStatement(
                sql: """
                    SELECT \(WinbackListEntry.columns), w.client
                    FROM winback_list w CROSS JOIN clients c ON c.id = w.client
                    JOIN scans s ON s.id = w.scan_id
                    \(query.whereClause)
                    \(order ?? "")
                    """)
            try statement.setArguments(StatementArguments(query.arguments))
            // The whole list's order, read from the rank's index alone: ranks as SQLite compares them and ties in
            // the clients' order, whatever a hand edit stored (1.5 reads back as rank 1, but sorts after it).
            let ranked =
                order == nil ? try Int64.fetchAll(db, sql: "SELECT client FROM winback_list ORDER BY rank") : []
            let rows = RawCursor(statement, db: db)
            var entries: [WinbackListEntry] = []
            var clients: [Int64] = []
            entries.reserveCapacity(order == nil ? ranked.count : min(max(limit ?? 0, 0), 4096))
            clients.reserveCapacity(entries.capacity)
            var offers = StoredOfferReader()
            while try rows.step() {
                entries.append(try WinbackListEntry(rows, offers: &offers))
                clients.append(rows.int64(Int32(WinbackListEntry.columnCount)))
            }
            guard order == nil else { return entries }
            return Self.inOrder(entries, clients: clients, ranked: ranked)
        }
    }

    /// `entries`, of `clients`, in the order of `ranked` (every client of the list in its order; entries the filter
    /// left out are not among them). The table gives them in the clients' order: each is found by a binary search
    /// there, not hashed (hashing in the sort's comparisons was a fifth of reading 17,000 entries).
    static func inOrder(_ entries: [WinbackListEntry], clients: [Int64], ranked: [Int64]) -> [WinbackListEntry] {
        var byClient = Array(clients.indices)
        if !zip(clients, clients.dropFirst()).allSatisfy({ $0 < $1 }) { byClient.sort { clients[$0] < clients[$1] } }
        var out: [WinbackListEntry] = []
        out.reserveCapacity(entries.count)
        for client in ranked {
            var low = 0
            var high = byClient.count
            while low < high {
                let middle = (low + high) / 2
                if clients[byClient[middle]] < client { low = middle + 1 } else { high = middle }
            }
            if low < byClient.count, clients[byClient[low]] == client { out.append(entries[byClient[low]]) }
        }
        return out
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
