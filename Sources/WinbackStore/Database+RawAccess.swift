import GRDB
import GRDBSQLite

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
