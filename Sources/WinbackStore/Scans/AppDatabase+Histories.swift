import GRDB
import GRDBSQLite
import WinbackCore

extension AppDatabase {
    /// Calls `body` with every client's history up to `asOf`, one client at a time in key order, from the
    /// aggregates (run ``aggregateNewSales(chunk:)`` first). Clients known only from master data or contacts
    /// come with an empty history. Memory holds one client at a time.
    public func forEachHistory(asOf: Day, _ body: (Int64, ClientHistory) throws -> Void) throws {
        try writer.read { db in
            let clients = try db.makeStatement(sql: "SELECT id, client_id FROM clients ORDER BY id")
            let days = try db.makeStatement(
                sql: """
                    SELECT client, day, net, gross, returns, margin, margin_lines, lines
                    FROM client_days WHERE day <= ? ORDER BY client, day
                    """)
            let categories = try db.makeStatement(
                sql: """
                    SELECT client, day, category, amount
                    FROM client_day_categories WHERE day <= ? ORDER BY client, day, category
                    """)
            let clientRows = RawCursor(clients, db: db)
            let dayRows = RawCursor(days, db: db, bind: Int64(asOf.number))
            let categoryRows = RawCursor(categories, db: db, bind: Int64(asOf.number))
            var dayReady = try dayRows.step()
            var categoryReady = try categoryRows.step()
            while try clientRows.step() {
                let key = clientRows.int64(0)
                var history = ClientHistory(clientID: clientRows.text(1), days: [])
                while dayReady, dayRows.int64(0) < key { dayReady = try dayRows.step() }
                while dayReady, dayRows.int64(0) == key {
                    let day = dayRows.int64(1)
                    let lines = dayRows.int64(7)
                    let marginLines = dayRows.int64(6)
                    var activity = ActivityDay(
                        day: Day(number: Int32(day)), net: Money(scaled: dayRows.int64(2)),
                        gross: Money(scaled: dayRows.int64(3)), returns: Money(scaled: dayRows.int64(4)),
                        margin: marginLines == lines ? Money(scaled: dayRows.int64(5)) : nil)
                    while categoryReady,
                        (categoryRows.int64(0), categoryRows.int64(1)) < (key, day)
                    {
                        categoryReady = try categoryRows.step()
                    }
                    while categoryReady, categoryRows.int64(0) == key, categoryRows.int64(1) == day {
                        activity.categories.append(
                            CategoryAmount(category: categoryRows.text(2), amount: Money(scaled: categoryRows.int64(3))))
                        categoryReady = try categoryRows.step()
                    }
                    history.days.append(activity)
                    dayReady = try dayRows.step()
                }
                try body(key, history)
            }
        }
    }
}

/// A prepared statement stepped through SQLite's C API: no per-row allocation beyond the values read.
final class RawCursor {
    private let statement: Statement
    private let handle: SQLiteStatement
    private let db: Database

    init(_ statement: Statement, db: Database, bind value: Int64? = nil) {
        self.statement = statement
        self.handle = statement.sqliteStatement
        self.db = db
        sqlite3_reset(handle)
        if let value { sqlite3_bind_int64(handle, 1, value) }
    }

    deinit {
        sqlite3_reset(handle)
    }

    /// Moves to the next row; false at the end.
    func step() throws -> Bool {
        let code = sqlite3_step(handle)
        if code == SQLITE_ROW { return true }
        if code == SQLITE_DONE { return false }
        throw DatabaseError(resultCode: ResultCode(rawValue: code), message: db.lastErrorMessage, sql: statement.sql)
    }

    func int64(_ column: Int32) -> Int64 { sqlite3_column_int64(handle, column) }
    func double(_ column: Int32) -> Double { sqlite3_column_double(handle, column) }
    func isNull(_ column: Int32) -> Bool { sqlite3_column_type(handle, column) == SQLITE_NULL }

    func text(_ column: Int32) -> String {
        guard let bytes = sqlite3_column_text(handle, column) else { return "" }
        let count = Int(sqlite3_column_bytes(handle, column))
        return String(decoding: UnsafeBufferPointer(start: bytes, count: count), as: UTF8.self)
    }
}
