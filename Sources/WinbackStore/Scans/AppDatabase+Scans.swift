import Foundation
import GRDB
import GRDBSQLite
import WinbackCore

/// A scan as recorded.
public struct ScanRecord: Codable, Sendable, FetchableRecord, TableRecord {
    public static let databaseTableName = "scans"
    public var id: Int64
    public var asOf: Int32
    public var startedAt: String
    public var finishedAt: String
    public var clients: Int
    /// A scan of a day before the latest live one: it left the live book alone.
    public var replay: Bool

    enum CodingKeys: String, CodingKey {
        case id, clients, replay
        case asOf = "as_of"
        case startedAt = "started_at"
        case finishedAt = "finished_at"
    }
}

extension AppDatabase {
    /// Each client's status before `asOf` (strictly): the latest change an earlier scan recorded.
    public func statusesBefore(_ asOf: Day) throws -> [Int64: StatusSince] {
        try writer.read { db in
            var result: [Int64: StatusSince] = [:]
            let rows = try Row.fetchCursor(
                db,
                sql: """
                    SELECT client, to_status, max(day) AS day FROM status_changes WHERE day < ? GROUP BY client
                    """, arguments: [asOf.number])
            while let row = try rows.next() {
                guard let status = ClientStatus(rawValue: row["to_status"]) else { continue }
                result[row["client"]] = StatusSince(status, since: Day(number: row["day"]))
            }
            return result
        }
    }

    /// Stores a scan's results in one transaction.
    ///
    /// A scan of the latest live day or a later one is live: it stores every client's state, the status changes
    /// (scanning the same day again replaces that day's), the alerts, the win-back list, the failure statistics
    /// and the fits. A scan of an earlier day is a replay: the live book stays as the latest day left it, and only
    /// the scan, its failure statistics (that day's point of the trend) and its fits are stored. The choice is made
    /// inside the write, so a scan racing a later one never moves the book backwards. `control` is ticked every
    /// few thousand clients; a stop asked there rolls the whole scan back.
    @discardableResult
    public func saveScan(
        asOf: Day, startedAt: String, finishedAt: String, clients: [(key: Int64, client: JudgedClient)],
        outcome: ScanOutcome<Int64> = ScanOutcome(),
        fits: [String: StoredFit] = [:], control: WorkControl? = nil
    ) throws -> (scanID: Int64, replay: Bool) {
        try saveScan(
            asOf: asOf, startedAt: startedAt, finishedAt: finishedAt, clients: clients, fits: fits, control: control
        ) { outcome }
    }

    /// Stores a scan's results as above, asking for its outcome only once the clients' states and status changes
    /// are written: a scan works the outcome out on another core meanwhile (at 100,000 clients each takes most of a
    /// second). Whatever `outcome` throws rolls the scan back.
    @discardableResult
    public func saveScan(
        asOf: Day, startedAt: String, finishedAt: String, clients: [(key: Int64, client: JudgedClient)],
        fits: [String: StoredFit] = [:], control: WorkControl? = nil,
        outcome later: () throws -> ScanOutcome<Int64>
    ) throws -> (scanID: Int64, replay: Bool) {
        try write { db in
            // A live scan rewrites every client's state and carries its alerts on: 60 MB of pages at 100,000 clients.
            // Past the 64 MiB cache SQLite spills them to the WAL mid-transaction, and half as many frames again are
            // written (22,500 instead of 15,000); the cache may grow for this one transaction, and shrinks after it.
            try db.execute(sql: "PRAGMA cache_size = -262144")
            defer { try? db.execute(sql: "PRAGMA cache_size = -65536") }
            let previousAsOf = try Int32.fetchOne(
                db, sql: "SELECT as_of FROM scans WHERE replay = 0 ORDER BY as_of DESC, id DESC LIMIT 1")
            let replay = previousAsOf.map { asOf.number < $0 } ?? false
            try db.execute(
                sql: "INSERT INTO scans (as_of, started_at, finished_at, clients, replay) VALUES (?, ?, ?, ?, ?)",
                arguments: [asOf.number, startedAt, finishedAt, clients.count, replay])
            let scanID = db.lastInsertedRowID
            if replay {
                try saveStatistics(db, scanID: scanID, asOf: asOf, outcome: try later(), fits: fits)
                return (scanID, true)
            }
            try db.execute(sql: "DELETE FROM status_changes WHERE day = ?", arguments: [asOf.number])
            try ClientStateWriter(db: db, scanID: scanID, asOf: asOf).write(clients, control: control)
            // By index: a client taken out of the array whole is copied, fields and all (0.7 s per 100,000).
            let changed = clients.indices.filter {
                clients[$0].client.previous?.status != clients[$0].client.assessment.status.status
            }
            // A first scan records a change for every client.
            try db.insertRows(
                "INSERT INTO status_changes (client, day, from_status, to_status, reason, scan_id) VALUES", columns: 6,
                count: changed.count
            ) { row in
                let index = changed[row]
                let status = clients[index].client.assessment.status
                return [
                    clients[index].key, asOf.number, clients[index].client.previous?.status.rawValue,
                    status.status.rawValue, status.reason, scanID,
                ]
            }
            let outcome = try later()
            try saveStatistics(db, scanID: scanID, asOf: asOf, outcome: outcome, fits: fits)
            try AlertBook(db: db, asOf: asOf, previousAsOf: previousAsOf.map(Day.init(number:)))
                .reconcile(outcome.alerts, wonBack: outcome.wonBack)
            try db.execute(sql: "DELETE FROM winback_list")
            let list = outcome.winback
            try db.insertRows(
                """
                INSERT INTO winback_list (client, scan_id, rank, status, reason, value, missed_cycles, offer, p_alive,
                                          value_at_risk, p_buy, abc) VALUES
                """, columns: 12, count: list.count
            ) { index in
                let item = list[index]
                let offer = try item.offer.map { try StoredOffer.text($0) }
                return [
                    item.client, scanID, index + 1, item.status.rawValue, item.reason, item.value.scaled,
                    item.missedCycles, offer, item.pAlive, item.valueAtRisk?.scaled, item.pBuy, item.abc?.rawValue,
                ]
            }
            return (scanID, false)
        }
    }

    /// A scan's failure statistics and model fits: what live scans and replays both store.
    private func saveStatistics(
        _ db: Database, scanID: Int64, asOf: Day, outcome: ScanOutcome<Int64>, fits: [String: StoredFit]
    ) throws {
        let stat = try db.makeStatement(
            sql: """
                INSERT INTO failure_stats (scan_id, as_of, dimension, direction, clients, active, at_risk, lost,
                    won_back, new, became_at_risk, became_lost, came_back, category_drops, revenue_at_risk)
                VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)
                """)
        for (dimension, directions) in outcome.failures {
            for (direction, c) in directions {
                try stat.execute(arguments: [
                    scanID, asOf.number, dimension.rawValue, direction, c.clients, c.active, c.atRisk, c.lost,
                    c.wonBack, c.new, c.becameAtRisk, c.becameLost, c.cameBack, c.categoryDrops,
                    c.revenueAtRisk.scaled,
                ])
            }
        }
        for (name, fit) in fits {
            try db.execute(
                sql: """
                    INSERT INTO model_fits (scan_id, model, parameters, log_likelihood, clients, iterations, converged)
                    VALUES (?, ?, ?, ?, ?, ?, ?)
                    """,
                arguments: [
                    scanID, name, fit.parameters, fit.logLikelihood, fit.clients, fit.iterations, fit.converged,
                ])
        }
    }

    /// The live scan of the latest day, if any: the day the live book (states, alerts, the list) is as of.
    public func latestScan() throws -> ScanRecord? {
        try writer.read { db in
            try ScanRecord.filter(Column("replay") == false).order(Column("as_of").desc, Column("id").desc).fetchOne(db)
        }
    }
}
