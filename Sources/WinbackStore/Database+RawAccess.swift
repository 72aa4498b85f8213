import Foundation
import GRDB
import GRDBSQLite
import WinbackCore

// The storage layer's hot paths talk to SQLite's C API directly; these are the pieces they share.

/// SQLite copies the text (SQLITE_TRANSIENT): Swift strings give no pointer that outlives the call.
private let transient = unsafeBitCast(-1, to: sqlite3_destructor_type.self)

/// Binds `text` (NULL for nil) to parameter `index`, copied by SQLite.
func bind(_ statement: SQLiteStatement, _ index: Int32, _ text: String?) {
    guard var text else {
        sqlite3_bind_null(statement, index)
        return
    }
    text.withUTF8 { bytes in
        guard let base = bytes.baseAddress, bytes.count > 0 else {
            _ = sqlite3_bind_text(statement, index, "", 0, transient)
            return
        }
        base.withMemoryRebound(to: CChar.self, capacity: bytes.count) { chars in
            _ = sqlite3_bind_text(statement, index, chars, Int32(bytes.count), transient)
        }
    }
}

extension Database {
    /// SQLite's message for the last error on this connection.
    var lastErrorMessage: String? {
        sqliteConnection.flatMap { sqlite3_errmsg($0) }.map { String(cString: $0) }
    }

    /// Runs a statement whose values are bound to completion. The statement's SQL text is fetched only for an
    /// error: GRDB builds it through Foundation, which would cost more than the insert itself.
    func stepToCompletion(_ statement: Statement) throws {
        let code = sqlite3_step(statement.sqliteStatement)
        guard code == SQLITE_DONE else {
            let message = lastErrorMessage
            sqlite3_reset(statement.sqliteStatement)
            throw DatabaseError(resultCode: ResultCode(rawValue: code), message: message, sql: statement.sql)
        }
    }
}

/// Binds `value` (NULL for nil) to parameter `index`.
func bind(_ statement: SQLiteStatement, _ index: Int32, _ value: Int64?) {
    if let value { sqlite3_bind_int64(statement, index, value) } else { sqlite3_bind_null(statement, index) }
}

/// Binds `value` (NULL for nil) to parameter `index`.
func bind(_ statement: SQLiteStatement, _ index: Int32, _ value: Double?) {
    if let value { sqlite3_bind_double(statement, index, value) } else { sqlite3_bind_null(statement, index) }
}

/// `(?, ?, …), (?, ?, …)…`: `rows` rows of `columns` parameters, for a statement that writes many rows.
func placeholders(rows: Int, columns: Int) -> String {
    let row = "(" + Array(repeating: "?", count: columns).joined(separator: ", ") + ")"
    return Array(repeating: row, count: rows).joined(separator: ", ")
}

extension Database {
    /// Writes `count` rows through statements of up to `rows` rows each (`sql` for a given number of rows), binding
    /// row `i` through the C API as the parameters after `base` with `bind`, and handing each row a statement returns
    /// to `returned`; `control` is ticked every few thousand rows.
    ///
    /// A statement per row cost a large write about 40 µs a row, nearly all of it SQLite opening and closing a
    /// statement journal for each (foreign keys and upserts make every statement abortable).
    func batched(
        _ count: Int, rows: Int, columns: Int, control: WorkControl?, sql: (Int) -> String,
        bind: (SQLiteStatement, Int, Int32) throws -> Void, returned: (SQLiteStatement) -> Void = { _ in }
    ) throws {
        guard count > 0 else { return }
        let full = try makeStatement(sql: sql(rows))
        var start = 0
        while start < count {
            if start & 0xFFF < rows { try control?.checkpoint() }
            let end = min(start + rows, count)
            let statement = end - start == rows ? full : try makeStatement(sql: sql(end - start))
            let handle = statement.sqliteStatement
            sqlite3_reset(handle)
            for row in start..<end { try bind(handle, row, Int32((row - start) * columns)) }
            while true {
                let code = sqlite3_step(handle)
                if code == SQLITE_ROW {
                    returned(handle)
                } else if code == SQLITE_DONE {
                    break
                } else {
                    let message = lastErrorMessage
                    sqlite3_reset(handle)
                    throw DatabaseError(resultCode: ResultCode(rawValue: code), message: message, sql: statement.sql)
                }
            }
            start = end
        }
    }

    /// Inserts `count` rows of `columns` values with `insert` (`INSERT INTO t (…) VALUES`), 128 to a statement, the
    /// values of row `i` from `values`: ``batched(_:rows:columns:control:sql:bind:returned:)`` for rows of mixed
    /// types. The statement is prepared once and bound through the C API: preparing a 768-parameter statement for
    /// each batch cost a first scan 1 s for its 100,000 status changes.
    func insertRows(
        _ insert: String, columns: Int, count: Int, values: (Int) throws -> [(any DatabaseValueConvertible)?]
    ) throws {
        try batched(
            count, rows: 128, columns: columns, control: nil,
            sql: { insert + " " + placeholders(rows: $0, columns: columns) }
        ) { statement, row, base in
            for (offset, value) in try values(row).enumerated() {
                let index = base + Int32(offset) + 1
                switch value?.databaseValue.storage {
                case .int64(let number): WinbackStore.bind(statement, index, number)
                case .double(let number): WinbackStore.bind(statement, index, number)
                case .string(let text): WinbackStore.bind(statement, index, text)
                case .blob(let data):
                    _ = data.withUnsafeBytes {
                        sqlite3_bind_blob(statement, index, $0.baseAddress, Int32($0.count), transient)
                    }
                case .null, nil: sqlite3_bind_null(statement, index)
                }
            }
        }
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
        rebind(values)
    }

    /// Starts again from the first row, with these parameters.
    func rebind(_ values: [Int64]) {
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

    /// A blob's bytes, valid until the cursor moves; nil for NULL.
    func blob(_ column: Int32) -> UnsafeRawBufferPointer? {
        guard sqlite3_column_type(handle, column) == SQLITE_BLOB else { return nil }
        let count = Int(sqlite3_column_bytes(handle, column))
        guard let bytes = sqlite3_column_blob(handle, column) else {
            return UnsafeRawBufferPointer(start: nil, count: 0)
        }
        return UnsafeRawBufferPointer(start: bytes, count: count)
    }

    func optionalText(_ column: Int32) -> String? { isNull(column) ? nil : text(column) }
    func optionalDouble(_ column: Int32) -> Double? { isNull(column) ? nil : double(column) }
    /// A day number's ``Day``; nil for NULL.
    func day(_ column: Int32) -> Day? { isNull(column) ? nil : requiredDay(column) }
    /// A day number's ``Day`` from a column that is never NULL.
    func requiredDay(_ column: Int32) -> Day { Day(number: Int32(truncatingIfNeeded: int64(column))) }

    func text(_ column: Int32) -> String {
        guard let bytes = sqlite3_column_text(handle, column) else { return "" }
        let count = Int(sqlite3_column_bytes(handle, column))
        return String(decoding: UnsafeBufferPointer(start: bytes, count: count), as: UTF8.self)
    }
}

/// A text compared and hashed by its UTF-8 bytes, as SQLite compares keys: Swift's `==` takes two spellings of an
/// accented word (a precomposed letter, or a letter and a combining accent) for one, where the store keeps two (two
/// client ids, two categories, two offers).
struct ByteText: Hashable {
    let text: String

    init(_ text: String) {
        self.text = text
    }

    static func == (left: ByteText, right: ByteText) -> Bool {
        sameBytes(left.text, right.text)
    }

    func hash(into hasher: inout Hasher) {
        var text = text
        text.withUTF8 { hasher.combine(bytes: UnsafeRawBufferPointer($0)) }
    }
}

/// Whether two texts are the same UTF-8 bytes (see ``ByteText``).
func sameBytes(_ left: String, _ right: String) -> Bool {
    var left = left
    var right = right
    return left.withUTF8 { a in
        right.withUTF8 { b in
            a.count == b.count && (a.count == 0 || memcmp(a.baseAddress!, b.baseAddress!, a.count) == 0)
        }
    }
}
