import GRDB
import GRDBSQLite
import WinbackCore

/// Stores sales lines inside one import's transaction, one prepared statement per purpose.
///
/// The hot path of the daemon: it binds values straight into SQLite's C API and upserts a client
/// only when a line tells something new about it. A line whose document and line number are already
/// stored is not inserted; ``insert(_:sourceLine:)`` says which earlier line it repeats.
public final class SalesWriter {
    private let db: Database
    private let importID: Int64
    private let insertLine: Statement
    private let findLine: Statement
    private let upsertClient: Statement
    /// Clients this import has already upserted, with what it told about them: bounded by the number of clients.
    private var knownClients: [String: (attributes: ClientAttributes, key: Int64)] = [:]
    private var lastClient: (id: String, attributes: ClientAttributes, key: Int64) = ("", ClientAttributes(), 0)

    private struct ClientAttributes: Equatable {
        var name: String?
        var manager: String?
        var region: String?
    }

    /// A stored line that a new line repeats.
    public struct StoredLine: Sendable, Equatable {
        public var importID: Int64
        public var sourceLine: Int
        /// Whether the repeat carries the same day, client, quantity and amount.
        public var sameContent: Bool
    }

    public enum Outcome: Sendable, Equatable {
        case inserted
        case duplicate(StoredLine)
    }

    /// Prepares the statements; `db` must be inside the import's transaction.
    public init(db: Database, importID: Int64) throws {
        self.db = db
        self.importID = importID
        insertLine = try db.makeStatement(
            sql: """
                INSERT INTO sales (document, line, day, client, sku, category, quantity, amount, margin,
                                   manager, region, import_id, source_line)
                VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12, ?13)
                ON CONFLICT (document, line) DO NOTHING
                """)
        findLine = try db.makeStatement(
            sql: """
                SELECT import_id, source_line, day = ?3 AND client = ?4 AND quantity = ?5 AND amount = ?6
                FROM sales WHERE document = ?1 AND line = ?2
                """)
        upsertClient = try db.makeStatement(sql: Self.upsertClientSQL)
    }

    /// Name, manager and region follow the newest sale; master data from a clients file wins over sales.
    static let upsertClientSQL = """
        INSERT INTO clients (client_id, name, manager, region, attributes_day) VALUES (?1, ?2, ?3, ?4, ?5)
        ON CONFLICT (client_id) DO UPDATE SET
            name = \(newest("name")),
            manager = \(newest("manager")),
            region = \(newest("region")),
            attributes_day = max(coalesce(attributes_day, excluded.attributes_day), excluded.attributes_day)
        RETURNING id
        """

    private static func newest(_ column: String) -> String {
        """
        CASE WHEN from_master = 1 AND \(column) IS NOT NULL THEN \(column) \
        WHEN attributes_day IS NULL OR excluded.attributes_day >= attributes_day \
        THEN coalesce(excluded.\(column), \(column)) ELSE coalesce(\(column), excluded.\(column)) END
        """
    }

    /// Stores `line`, read from line `sourceLine` of the file, unless its document line is already stored.
    public func insert(_ line: SaleLine, sourceLine: Int) throws -> Outcome {
        let client = try clientKey(line)
        let statement = insertLine.sqliteStatement
        sqlite3_reset(statement)
        bind(statement, 1, line.document)
        sqlite3_bind_int64(statement, 2, Int64(line.line))
        sqlite3_bind_int64(statement, 3, Int64(line.day.number))
        sqlite3_bind_int64(statement, 4, client)
        bind(statement, 5, line.sku)
        bind(statement, 6, line.category)
        sqlite3_bind_double(statement, 7, line.quantity)
        sqlite3_bind_int64(statement, 8, line.amount.scaled)
        if let margin = line.margin {
            sqlite3_bind_int64(statement, 9, margin.scaled)
        } else {
            sqlite3_bind_null(statement, 9)
        }
        bind(statement, 10, line.manager)
        bind(statement, 11, line.region)
        sqlite3_bind_int64(statement, 12, importID)
        sqlite3_bind_int64(statement, 13, Int64(sourceLine))
        try step(insertLine)
        if sqlite3_changes(db.sqliteConnection) == 1 {
            return .inserted
        }
        return .duplicate(try storedLine(matching: line, client: client))
    }

    private func storedLine(matching line: SaleLine, client: Int64) throws -> StoredLine {
        let statement = findLine.sqliteStatement
        sqlite3_reset(statement)
        bind(statement, 1, line.document)
        sqlite3_bind_int64(statement, 2, Int64(line.line))
        sqlite3_bind_int64(statement, 3, Int64(line.day.number))
        sqlite3_bind_int64(statement, 4, client)
        sqlite3_bind_double(statement, 5, line.quantity)
        sqlite3_bind_int64(statement, 6, line.amount.scaled)
        let code = sqlite3_step(statement)
        guard code == SQLITE_ROW else {
            throw DatabaseError(resultCode: ResultCode(rawValue: code), message: db.lastErrorMessage, sql: findLine.sql)
        }
        let stored = StoredLine(
            importID: sqlite3_column_int64(statement, 0),
            sourceLine: Int(sqlite3_column_int64(statement, 1)),
            sameContent: sqlite3_column_int64(statement, 2) == 1)
        sqlite3_reset(statement)
        return stored
    }

    /// The client's integer key, upserting the client when this line tells something new about it.
    private func clientKey(_ line: SaleLine) throws -> Int64 {
        let attributes = ClientAttributes(name: line.clientName, manager: line.manager, region: line.region)
        // A document's lines come together: most rows repeat the previous row's client.
        if line.clientID == lastClient.id, attributes == lastClient.attributes { return lastClient.key }
        if let known = knownClients[line.clientID], known.attributes == attributes {
            lastClient = (line.clientID, attributes, known.key)
            return known.key
        }
        let statement = upsertClient.sqliteStatement
        sqlite3_reset(statement)
        bind(statement, 1, line.clientID)
        bind(statement, 2, line.clientName)
        bind(statement, 3, line.manager)
        bind(statement, 4, line.region)
        sqlite3_bind_int64(statement, 5, Int64(line.day.number))
        let code = sqlite3_step(statement)
        guard code == SQLITE_ROW else {
            let message = db.lastErrorMessage
            sqlite3_reset(statement)
            throw DatabaseError(resultCode: ResultCode(rawValue: code), message: message, sql: upsertClient.sql)
        }
        let key = sqlite3_column_int64(statement, 0)
        sqlite3_reset(statement)
        knownClients[line.clientID] = (attributes, key)
        lastClient = (line.clientID, attributes, key)
        return key
    }

    /// Runs a bound statement to completion. The statement's SQL text is fetched only for an error: GRDB builds
    /// it through Foundation, which would cost more than the insert itself.
    private func step(_ statement: Statement) throws {
        let code = sqlite3_step(statement.sqliteStatement)
        guard code == SQLITE_DONE else {
            let message = db.lastErrorMessage
            sqlite3_reset(statement.sqliteStatement)
            throw DatabaseError(resultCode: ResultCode(rawValue: code), message: message, sql: statement.sql)
        }
    }
}

/// SQLite copies the text (SQLITE_TRANSIENT): Swift strings give no pointer that outlives the call.
private let transient = unsafeBitCast(-1, to: sqlite3_destructor_type.self)

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
    var lastErrorMessage: String? {
        sqliteConnection.flatMap { sqlite3_errmsg($0) }.map { String(cString: $0) }
    }
}
