import GRDB
import GRDBSQLite
import WinbackCore

extension AppDatabase {
    /// Calls `body` with every client's history up to `asOf`, one client at a time in key order, from the
    /// aggregates. Clients known only from master data or contacts come with an empty history. Memory holds one
    /// client at a time.
    public func forEachHistory(asOf: Day, _ body: (Int64, ClientHistory) throws -> Void) throws {
        try writer.read { db in try ClientHistoryReader(db: db, asOf: asOf).forEach(body) }
    }
}

/// Reads client histories from `client_days` and `client_day_categories`: the one mapping from stored days to
/// ``ActivityDay``s, for every client in key order or for one.
struct ClientHistoryReader {
    let db: Database
    let asOf: Day
    /// Only this client's key, or every client.
    var client: Int64?

    /// Calls `body` with each client's history in key order.
    func forEach(_ body: (Int64, ClientHistory) throws -> Void) throws {
        let only = client == nil ? "" : " AND client = ?"
        let clients = try db.makeStatement(
            sql: "SELECT id, client_id FROM clients" + (client == nil ? "" : " WHERE id = ?") + " ORDER BY id")
        let days = try db.makeStatement(
            sql: """
                SELECT client, day, net, gross, returns, margin, margin_lines, lines
                FROM client_days WHERE day <= ?\(only) ORDER BY client, day
                """)
        let categories = try db.makeStatement(
            sql: """
                SELECT client, day, category, amount
                FROM client_day_categories WHERE day <= ?\(only) ORDER BY client, day, category
                """)
        let filter = client.map { [$0] } ?? []
        let clientRows = RawCursor(clients, db: db, bind: filter)
        let dayRows = RawCursor(days, db: db, bind: [Int64(asOf.number)] + filter)
        let categoryRows = RawCursor(categories, db: db, bind: [Int64(asOf.number)] + filter)
        var dayReady = try dayRows.step()
        var categoryReady = try categoryRows.step()
        while try clientRows.step() {
            let key = clientRows.int64(0)
            var history = ClientHistory(clientID: clientRows.text(1), days: [])
            while dayReady, dayRows.int64(0) < key { dayReady = try dayRows.step() }
            while dayReady, dayRows.int64(0) == key {
                let day = dayRows.int64(1)
                var activity = dayRows.dayTotals(from: 2).activity(on: Day(number: Int32(day)))
                while categoryReady, (categoryRows.int64(0), categoryRows.int64(1)) < (key, day) {
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

    /// The one client's history (empty when it has no sales).
    func history(clientID: String) throws -> ClientHistory {
        var found = ClientHistory(clientID: clientID, days: [])
        try forEach { _, history in found = history }
        return found
    }
}

/// A prepared statement stepped through SQLite's C API: no per-row allocation beyond the values read.
final class RawCursor {
    private let statement: Statement
    private let handle: SQLiteStatement
    private let db: Database

    init(_ statement: Statement, db: Database, bind values: [Int64] = []) {
        self.statement = statement
        self.handle = statement.sqliteStatement
        self.db = db
        sqlite3_reset(handle)
        for (index, value) in values.enumerated() { sqlite3_bind_int64(handle, Int32(index + 1), value) }
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

    /// A `client_days` row's totals, from its `net, gross, returns, margin, margin_lines, lines` columns
    /// starting at `first`: the one mapping from stored day to ``DayTotals``.
    func dayTotals(from first: Int32) -> DayTotals {
        DayTotals(
            net: int64(first), gross: int64(first + 1), returns: int64(first + 2), margin: int64(first + 3),
            marginLines: int64(first + 4), lines: int64(first + 5))
    }
    func double(_ column: Int32) -> Double { sqlite3_column_double(handle, column) }
    func isNull(_ column: Int32) -> Bool { sqlite3_column_type(handle, column) == SQLITE_NULL }

    func text(_ column: Int32) -> String {
        guard let bytes = sqlite3_column_text(handle, column) else { return "" }
        let count = Int(sqlite3_column_bytes(handle, column))
        return String(decoding: UnsafeBufferPointer(start: bytes, count: count), as: UTF8.self)
    }
}
