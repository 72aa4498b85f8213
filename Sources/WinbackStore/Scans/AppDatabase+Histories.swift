import GRDB
import GRDBSQLite
import WinbackCore

extension AppDatabase {
    /// Calls `body` with every client's history up to `asOf`, one client at a time in key order. Clients known only
    /// from master data or contacts come with an empty history. Memory holds one client at a time.
    ///
    /// A client whose sales did not change since its compact record was made is read from that record; the others
    /// from `client_days` and `client_day_categories`. With `makeRecords`, returns the records made for those others
    /// (every client's, on a book never scanned): pass them to ``keepHistoryRecords(_:control:)`` so that the next
    /// read finds them. A scan does; other readers hold one client at a time.
    ///
    /// With `flatCategories`, a history read from its record carries its days' categories in one
    /// ``ClientHistory/flatCategories`` instead of an array per day: the same facts, read faster.
    @discardableResult
    public func forEachHistory(
        asOf: Day, makeRecords: Bool = false, flatCategories: Bool = false,
        _ body: (Int64, ClientHistory) throws -> Void
    ) throws -> HistoryRecords {
        try writer.read { db in
            try ClientHistoryReader(db: db, asOf: asOf).forEachRecorded(
                makeRecords: makeRecords, flatCategories: flatCategories, body)
        }
    }

    /// Keeps the records a read made. A record is read back only while its client's version is the one it was made
    /// at, and versions only grow, so a record made before an import changed the client is never taken for current;
    /// such a record is not even written. Derived data, in its own transaction: losing it costs the next scan a
    /// slower read, nothing else.
    ///
    /// `control` is ticked every few thousand records: a stop asked there rolls them back (a first scan writes
    /// 100,000).
    public func keepHistoryRecords(_ records: HistoryRecords, control: WorkControl? = nil) throws {
        guard !records.items.isEmpty else { return }
        try writer.write { db in
            let statement = try db.makeStatement(
                sql: """
                    INSERT OR REPLACE INTO client_histories (client, version, days)
                    SELECT ?1, ?2, ?3 WHERE coalesce((SELECT version FROM client_versions WHERE client = ?1), 0) = ?2
                    """)
            let handle = statement.sqliteStatement
            for (index, item) in records.items.enumerated() {
                if index & 0xFFF == 0 { try control?.checkpoint() }
                sqlite3_reset(handle)
                sqlite3_bind_int64(handle, 1, item.client)
                sqlite3_bind_int64(handle, 2, item.version)
                item.bytes.withUnsafeBytes { bytes in
                    _ = sqlite3_bind_blob(handle, 3, bytes.baseAddress, Int32(bytes.count), transientBlob)
                }
                try db.stepToCompletion(statement)
            }
        }
    }
}

/// Compact history records made by a read, for ``AppDatabase/keepHistoryRecords(_:control:)``.
public struct HistoryRecords: Sendable {
    var items: [(client: Int64, version: Int64, bytes: [UInt8])] = []
    /// How many clients were read from their record, and how many from their rows.
    public internal(set) var fromRecords = 0
    public internal(set) var fromRows = 0
}

/// SQLite copies the blob (SQLITE_TRANSIENT).
private let transientBlob = unsafeBitCast(-1, to: sqlite3_destructor_type.self)

/// Reads client histories from `client_days` and `client_day_categories`, or from their compact records: the one
/// mapping from stored days to ``ActivityDay``s, for every client in key order or for one.
struct ClientHistoryReader {
    let db: Database
    let asOf: Day
    /// Only this client's key, or every client.
    var client: Int64?
    /// Clients without a current record read one by one before, if they are more than half of those read so far,
    /// the rest are read in one pass.
    var passAfter = 256

    /// Calls `body` with each client's history in key order, from its current record where there is one, from its
    /// rows otherwise (and then, with `makeRecords`, making its record).
    func forEachRecorded(
        makeRecords: Bool, flatCategories: Bool = false, _ body: (Int64, ClientHistory) throws -> Void
    ) throws -> HistoryRecords {
        let listed = """
            FROM clients c
            LEFT JOIN client_versions v ON v.client = c.id
            LEFT JOIN client_histories h ON h.client = c.id AND h.version = coalesce(v.version, 0)
            """
        let clients = try db.makeStatement(
            sql: "SELECT c.id, c.client_id, coalesce(v.version, 0), h.days \(listed) ORDER BY c.id")
        // Few clients without a record: look each up. Many (a first scan): one pass over the tables, from the client
        // where they turned out to be many, is cheaper. Counting them first cost a quarter of a second at 100,000
        // clients: as much as reading the records.
        var rows = try ClientRows(db: db, seek: true)
        var seeking = true
        var seen = 0
        var missed = 0
        var records = HistoryRecords()
        let clientRows = RawCursor(clients, db: db)
        while try clientRows.step() {
            let key = clientRows.int64(0)
            var history = ClientHistory(clientID: clientRows.text(1), days: [])
            if let bytes = clientRows.blob(3),
                let (days, flat) = HistoryRecord.days(bytes, through: asOf, flat: flatCategories)
            {
                history.days = days
                history.flatCategories = flat
                records.fromRecords += 1
            } else {
                missed += 1
                if seeking, missed >= passAfter, missed * 2 > seen {
                    rows = try ClientRows(db: db, seek: false, from: key)
                    seeking = false
                }
                var record = HistoryRecord()
                try rows.read(client: key) { day, totals, categories in
                    if makeRecords { record.append(day: day, totals: totals, categories: categories) }
                    if day <= Int64(asOf.number) { history.days.append(ClientRows.activity(day, totals, categories)) }
                }
                records.fromRows += 1
                if makeRecords { records.items.append((key, clientRows.int64(2), record.encoded())) }
            }
            seen += 1
            try body(key, history)
        }
        return records
    }

    /// The one client's history (empty when it has no sales), from its rows.
    func history(clientID: String) throws -> ClientHistory {
        var found = ClientHistory(clientID: clientID, days: [])
        guard let client else { return found }
        var rows = try ClientRows(db: db, seek: true)
        try rows.read(client: client) { day, totals, categories in
            if day <= Int64(asOf.number) { found.days.append(ClientRows.activity(day, totals, categories)) }
        }
        return found
    }
}

/// A client's rows in `client_days` and `client_day_categories`, day by day, for clients asked in increasing key
/// order: looked up one client at a time, or read in one pass over both tables (cheaper when most clients are asked).
private struct ClientRows {
    private let seek: Bool
    private let days: RawCursor
    private let categories: RawCursor
    private var dayReady = false
    private var categoryReady = false

    /// `from`: in one pass, the first client asked for (the rows of those before it are not read).
    init(db: Database, seek: Bool, from first: Int64 = .min) throws {
        self.seek = seek
        let only = seek ? " WHERE client = ?" : " WHERE client >= ?"
        days = RawCursor(
            try db.makeStatement(
                sql: """
                    SELECT client, day, net, gross, returns, margin, margin_lines, lines
                    FROM client_days\(only) ORDER BY client, day
                    """), db: db)
        categories = RawCursor(
            try db.makeStatement(
                sql:
                    "SELECT client, day, category, amount FROM client_day_categories\(only) ORDER BY client, day, category"
            ),
            db: db)
        if !seek {
            days.rebind([first])
            categories.rebind([first])
            dayReady = try days.step()
            categoryReady = try categories.step()
        }
    }

    /// A day's row and its categories' rows as criteria see them.
    static func activity(
        _ day: Int64, _ totals: DayTotals, _ categories: [(name: String, amount: Int64)]
    ) -> ActivityDay {
        totals.activity(
            on: Day(number: Int32(day)),
            categories: categories.map { CategoryAmount(category: $0.name, amount: Money(scaled: $0.amount)) })
    }

    /// Calls `body` with each of the client's days in order, with its categories.
    mutating func read(
        client key: Int64, _ body: (Int64, DayTotals, [(name: String, amount: Int64)]) throws -> Void
    ) throws {
        if seek {
            days.rebind([key])
            categories.rebind([key])
            dayReady = try days.step()
            categoryReady = try categories.step()
        }
        while dayReady, days.int64(0) < key { dayReady = try days.step() }
        while categoryReady, categories.int64(0) < key { categoryReady = try categories.step() }
        var bought: [(name: String, amount: Int64)] = []
        while dayReady, days.int64(0) == key {
            let day = days.int64(1)
            bought.removeAll(keepingCapacity: true)
            while categoryReady, categories.int64(0) == key, categories.int64(1) < day {
                categoryReady = try categories.step()
            }
            while categoryReady, categories.int64(0) == key, categories.int64(1) == day {
                bought.append((categories.text(2), categories.int64(3)))
                categoryReady = try categories.step()
            }
            try body(day, days.dayTotals(from: 2), bought)
            dayReady = try days.step()
        }
    }
}
