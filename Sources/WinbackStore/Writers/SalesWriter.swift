import GRDB
import GRDBSQLite
import WinbackCore

/// Stores sales lines inside one import's transaction, and keeps the aggregates in step with them.
///
/// The hot path of the daemon. Lines are inserted ``batchSize`` at a time by one multi-row statement
/// whose values are bound straight into SQLite's C API, and a client is upserted only when a line tells
/// something new about it. A line whose document and line number are already stored is not inserted:
/// ``add(_:sourceLine:)`` and ``finish()`` hand back, for every line written, whether it was stored or
/// which stored line it repeats. A repeat that carries other values is the ERP's correction: it replaces the
/// stored line (unless the writer keeps changed lines).
///
/// Only the lines not simply inserted come back (a repeat, a correction): the inserted ones are counted
/// (``inserted``), which spares a first import a value per line.
///
/// The lines stored are folded per client and day as they go and written to the aggregates (``Aggregates``) every
/// ``foldLines`` lines and at ``finish()``, in the same transaction: what a scan reads is never behind the lines.
/// A correction's client-days are folded again from their lines at ``finish()``.
public final class SalesWriter {
    /// Lines per INSERT: the per-statement cost of SQLite is paid once for all of them. 32 × 13 values stay
    /// under SQLite's oldest limit of 999 bound parameters.
    public static let batchSize = 32
    private static let columnsPerRow: Int32 = 13
    /// Lines folded in memory before they are written to the aggregates: bounds the memory of a large import
    /// (about 100 MB). Each write passes over the aggregate tables once, so fewer, larger folds are faster.
    static let foldLines = 1_000_000

    private let db: Database
    private let importID: Int64
    private let insertBatch: Statement
    private let insertOne: Statement
    private let findLine: Statement
    private let correctLine: Statement
    private let findDocument: Statement
    private let replaceChanged: Bool
    private let control: WorkControl?
    private let upsertClient: Statement
    private let arena = TextArena()
    private var pending: [(line: SaleLine, sourceLine: Int, client: Int64, startsDocument: Bool)] = []
    /// The stored lines not yet written to the aggregates.
    private var fold = ClientDayFold()
    /// Client-days a correction left or entered whose sums had saturated: folded again from their lines at the end.
    private var corrected: Set<ClientDayFold.DayKey> = []
    /// Lines this writer inserted so far.
    public private(set) var inserted = 0
    /// Clients whose totals this import changed, and how many documents each gained (or lost to a correction).
    private var touched: Set<Int64> = []
    /// The client of the last line folded: a document's lines come together, so most lines need not touch `touched`.
    private var lastFolded: Int64?
    private var documents: [Int64: Int] = [:]
    /// The previous line's document and client: a document's lines come together.
    private var lastDocument: (document: String, client: Int64)?
    /// The greatest document (by its bytes, as the `(document, line)` index orders them) stored before this import or
    /// queued by it: a document beyond it has no stored line, which spares most documents of an export that numbers
    /// them in order a look-up.
    private var greatestDocument: [UInt8]
    /// Clients this import has already upserted, with what it told about them: bounded by the number of clients.
    private var knownClients: [ByteText: KnownClient] = [:]
    /// The previous row's client (its entry in `knownClients` is written back when another client comes).
    private var lastClient: (id: String, known: KnownClient)?

    private struct ClientAttributes: Equatable {
        var name: String?
        var manager: String?
        var region: String?
    }

    private struct KnownClient {
        var attributes: ClientAttributes
        var key: Int64
        /// The day the attributes were upserted with, and the latest day a line carried them. A later day is upserted
        /// before the client's attributes change and at ``finish()``, not at every line: the stored attributes day is
        /// then what upserting each line in turn leaves, so that an older line's other name does not win over them.
        var writtenDay: Int32
        var latestDay: Int32
    }

    /// A stored line that a new line repeats.
    public struct StoredLine: Sendable, Equatable {
        public var importID: Int64
        public var sourceLine: Int
        /// Whether the repeat carries the same values: day, client, product, category, quantity, amount, margin,
        /// manager and region.
        public var sameContent: Bool
        /// The client key, day, amount, margin and category the stored line had.
        var client: Int64 = 0
        var day: Int64 = 0
        var amount: Int64 = 0
        var margin: Int64?
        var category: String?
    }

    public enum Outcome: Sendable, Equatable {
        /// Already stored; kept as it was (the same values, or other values and the writer keeps changed lines).
        case duplicate(StoredLine)
        /// Already stored by an earlier import with other values, and replaced by this line.
        case corrected(StoredLine)
    }

    /// What became of one line handed to ``add(_:sourceLine:)`` that was not simply inserted.
    public struct Written: Sendable {
        public var line: SaleLine
        public var sourceLine: Int
        public var outcome: Outcome
    }

    /// Prepares the statements; `db` must be inside the import's transaction. `replaceChanged`: a repeated line with
    /// other values replaces the stored one (the ERP's correction); false keeps the first.
    init(db: Database, importID: Int64, replaceChanged: Bool = true, control: WorkControl? = nil) throws {
        self.db = db
        self.control = control
        self.importID = importID
        self.replaceChanged = replaceChanged
        insertBatch = try db.makeStatement(sql: Self.insertSQL(rows: Self.batchSize))
        insertOne = try db.makeStatement(sql: Self.insertSQL(rows: 1))
        findLine = try db.makeStatement(
            sql: """
                SELECT import_id, source_line,
                       day = ?3 AND client = ?4 AND quantity = ?5 AND amount = ?6 AND margin IS ?7 AND sku IS ?8
                           AND category IS ?9 AND manager IS ?10 AND region IS ?11,
                       client, day, amount, margin, category
                FROM sales WHERE document = ?1 AND line = ?2
                """)
        correctLine = try db.makeStatement(
            sql: """
                UPDATE sales SET day = ?3, client = ?4, quantity = ?5, amount = ?6, margin = ?7, sku = ?8,
                    category = ?9, manager = ?10, region = ?11, import_id = ?12, source_line = ?13
                WHERE document = ?1 AND line = ?2
                """)
        findDocument = try db.makeStatement(
            // By the (document, line) key: a document has a few lines, a client thousands.
            sql: "SELECT EXISTS (SELECT 1 FROM sales WHERE document = ? AND +client = ?)")
        upsertClient = try db.makeStatement(sql: Self.upsertClientSQL)
        greatestDocument = Array((try String.fetchOne(db, sql: "SELECT max(document) FROM sales") ?? "").utf8)
        pending.reserveCapacity(Self.batchSize)
    }

    static func insertSQL(rows: Int) -> String {
        let row = "(" + Array(repeating: "?", count: Int(columnsPerRow)).joined(separator: ", ") + ")"
        return """
            INSERT INTO sales (document, line, day, client, sku, category, quantity, amount, margin,
                               manager, region, import_id, source_line)
            VALUES \(Array(repeating: row, count: rows).joined(separator: ", "))
            ON CONFLICT (document, line) DO NOTHING
            """
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

    /// Queues `line`, read from line `sourceLine` of the file; returns the lines of the batch it filled, if it did,
    /// that were not inserted (``inserted`` counts those).
    public func add(_ line: SaleLine, sourceLine: Int) throws -> [Written] {
        let client = try clientKey(line)
        pending.append((line, sourceLine, client, try startsDocument(line.document, client: client)))
        return pending.count == Self.batchSize ? try flush() : []
    }

    /// Stores what is still queued, the latest day of every client's attributes, and brings the aggregates up to
    /// date with every line this import stored or corrected.
    public func finish() throws -> [Written] {
        if let last = lastClient { knownClients[ByteText(last.id)] = last.known }
        lastClient = nil
        for (id, known) in knownClients where known.latestDay > known.writtenDay {
            _ = try storeClient(id.text, known.attributes, day: known.latestDay)
        }
        let written = try flush()
        let aggregates = Aggregates(db: db, control: control)
        try aggregates.add(&fold)
        fold.removeAll()
        for key in corrected.sorted(by: { ($0.client, $0.day) < ($1.client, $1.day) }) {
            try aggregates.refold(client: key.client, day: key.day)
        }
        let changed = touched.sorted()
        try aggregates.updateTotals(clients: changed)
        try aggregates.changed(clients: changed)
        for (client, count) in documents.sorted(by: { $0.key < $1.key }) where count != 0 {
            try aggregates.addDocuments(count, client: client)
        }
        return written
    }

    /// Whether a line begins a document the client has no stored or queued line of.
    private func startsDocument(_ document: String, client: Int64) throws -> Bool {
        // Documents compared by their bytes, as the (document, line) key compares them.
        if let last = lastDocument, last.client == client, sameBytes(last.document, document) {
            return false
        }
        lastDocument = (document, client)
        if greatestDocument.lexicographicallyPrecedes(document.utf8) {
            greatestDocument.removeAll(keepingCapacity: true)
            greatestDocument.append(contentsOf: document.utf8)
            return true
        }
        if pending.contains(where: { $0.client == client && sameBytes($0.line.document, document) }) {
            return false
        }
        return try !hasLine(of: document, client: client)
    }

    /// Whether a line of the document is stored for the client.
    private func hasLine(of document: String, client: Int64) throws -> Bool {
        let statement = findDocument.sqliteStatement
        sqlite3_reset(statement)
        bind(statement, 1, document)
        sqlite3_bind_int64(statement, 2, client)
        let code = sqlite3_step(statement)
        guard code == SQLITE_ROW else {
            let message = db.lastErrorMessage
            sqlite3_reset(statement)
            throw DatabaseError(resultCode: ResultCode(rawValue: code), message: message, sql: findDocument.sql)
        }
        let exists = sqlite3_column_int64(statement, 0) == 1
        sqlite3_reset(statement)
        return exists
    }

    /// Notes a stored line for the aggregates.
    private func folded(_ row: (line: SaleLine, sourceLine: Int, client: Int64, startsDocument: Bool)) {
        let line = row.line
        fold.add(
            client: row.client, day: Int64(line.day.number), amount: line.amount.scaled, margin: line.margin?.scaled,
            category: line.category)
        inserted += 1
        if lastFolded != row.client {
            touched.insert(row.client)
            lastFolded = row.client
        }
        if row.startsDocument { documents[row.client, default: 0] += 1 }
    }

    private func flush() throws -> [Written] {
        guard !pending.isEmpty else { return [] }
        defer { pending.removeAll(keepingCapacity: true) }
        let statement = pending.count == Self.batchSize ? insertBatch : insertOne
        if statement === insertBatch {
            try run(statement, rows: pending.indices)
        } else {
            for index in pending.indices { try run(statement, rows: index..<index + 1) }
        }
        // In the common case every line was new; otherwise ask which ones were.
        var written: [Written] = []
        if statement === insertBatch && sqlite3_changes(db.sqliteConnection) == Int32(pending.count) {
            for row in pending { folded(row) }
        } else {
            for row in pending {
                let stored = try storedLine(matching: row.line, client: row.client)
                if stored.importID == importID && stored.sourceLine == row.sourceLine {
                    folded(row)
                } else if replaceChanged, !stored.sameContent, stored.importID != importID {
                    try correct(
                        row.line, sourceLine: row.sourceLine, client: row.client, startsDocument: row.startsDocument,
                        replacing: stored)
                    written.append(Written(line: row.line, sourceLine: row.sourceLine, outcome: .corrected(stored)))
                } else {
                    written.append(Written(line: row.line, sourceLine: row.sourceLine, outcome: .duplicate(stored)))
                }
            }
        }
        if fold.lines >= Self.foldLines {
            try Aggregates(db: db, control: control).add(&fold)
            fold.removeAll()
        }
        return written
    }

    /// Replaces a stored line by its correction: the replaced line is taken out of its client-day and the new one
    /// folded in like a stored line; when taking it out cannot be exact (a saturated sum), both client-days are
    /// folded again from their lines at the end instead. A line moved to another client moves its document with it.
    ///
    /// Whether the moved line begins a document for its new client was decided when it was queued
    /// (`startsDocument`): asking now would find the lines of the same batch inserted just before.
    private func correct(
        _ line: SaleLine, sourceLine: Int, client: Int64, startsDocument: Bool, replacing stored: StoredLine
    ) throws {
        let moves = stored.client != client
        if moves, startsDocument { documents[client, default: 0] += 1 }
        let handle = correctLine.sqliteStatement
        sqlite3_reset(handle)
        bindLine(handle, line, client: client)
        sqlite3_bind_int64(handle, 12, importID)
        sqlite3_bind_int64(handle, 13, Int64(sourceLine))
        try db.stepToCompletion(correctLine)
        if moves, try !hasLine(of: line.document, client: stored.client) { documents[stored.client, default: 0] -= 1 }
        touched.formUnion([stored.client, client])
        let newKey = ClientDayFold.DayKey(client: client, day: Int64(line.day.number))
        let oldKey = ClientDayFold.DayKey(client: stored.client, day: stored.day)
        if corrected.contains(oldKey) || corrected.contains(newKey) {
            corrected.formUnion([oldKey, newKey])
        } else if try Aggregates(db: db).remove(
            client: stored.client, day: stored.day, amount: stored.amount, margin: stored.margin,
            category: stored.category)
        {
            fold.add(
                client: client, day: newKey.day, amount: line.amount.scaled, margin: line.margin?.scaled,
                category: line.category)
        } else {
            corrected.formUnion([oldKey, newKey])
        }
    }

    /// Binds a line's key and values as parameters 1…11 of the find and correct statements.
    private func bindLine(_ statement: SQLiteStatement, _ line: SaleLine, client: Int64) {
        bind(statement, 1, line.document)
        sqlite3_bind_int64(statement, 2, Int64(line.line))
        sqlite3_bind_int64(statement, 3, Int64(line.day.number))
        sqlite3_bind_int64(statement, 4, client)
        sqlite3_bind_double(statement, 5, line.quantity)
        sqlite3_bind_int64(statement, 6, line.amount.scaled)
        if let margin = line.margin {
            sqlite3_bind_int64(statement, 7, margin.scaled)
        } else {
            sqlite3_bind_null(statement, 7)
        }
        bind(statement, 8, line.sku)
        bind(statement, 9, line.category)
        bind(statement, 10, line.manager)
        bind(statement, 11, line.region)
    }

    /// Binds `rows` of `pending` into `statement` and runs it.
    private func run(_ statement: Statement, rows: Range<Int>) throws {
        let handle = statement.sqliteStatement
        sqlite3_reset(handle)
        var needed = 0
        for index in rows {
            let line = pending[index].line
            needed +=
                line.document.utf8.count + (line.sku?.utf8.count ?? 0) + (line.category?.utf8.count ?? 0)
                + (line.manager?.utf8.count ?? 0) + (line.region?.utf8.count ?? 0)
        }
        arena.reset(needing: needed)
        var base: Int32 = 0
        for index in rows {
            let (line, sourceLine, client, _) = pending[index]
            arena.bind(handle, base + 1, line.document)
            sqlite3_bind_int64(handle, base + 2, Int64(line.line))
            sqlite3_bind_int64(handle, base + 3, Int64(line.day.number))
            sqlite3_bind_int64(handle, base + 4, client)
            arena.bind(handle, base + 5, line.sku)
            arena.bind(handle, base + 6, line.category)
            sqlite3_bind_double(handle, base + 7, line.quantity)
            sqlite3_bind_int64(handle, base + 8, line.amount.scaled)
            if let margin = line.margin {
                sqlite3_bind_int64(handle, base + 9, margin.scaled)
            } else {
                sqlite3_bind_null(handle, base + 9)
            }
            arena.bind(handle, base + 10, line.manager)
            arena.bind(handle, base + 11, line.region)
            sqlite3_bind_int64(handle, base + 12, importID)
            sqlite3_bind_int64(handle, base + 13, Int64(sourceLine))
            base += Self.columnsPerRow
        }
        try db.stepToCompletion(statement)
    }

    private func storedLine(matching line: SaleLine, client: Int64) throws -> StoredLine {
        let statement = findLine.sqliteStatement
        sqlite3_reset(statement)
        bindLine(statement, line, client: client)
        let code = sqlite3_step(statement)
        guard code == SQLITE_ROW else {
            throw DatabaseError(resultCode: ResultCode(rawValue: code), message: db.lastErrorMessage, sql: findLine.sql)
        }
        let stored = StoredLine(
            importID: sqlite3_column_int64(statement, 0),
            sourceLine: Int(sqlite3_column_int64(statement, 1)),
            sameContent: sqlite3_column_int64(statement, 2) == 1,
            client: sqlite3_column_int64(statement, 3), day: sqlite3_column_int64(statement, 4),
            amount: sqlite3_column_int64(statement, 5),
            margin: sqlite3_column_type(statement, 6) == SQLITE_NULL ? nil : sqlite3_column_int64(statement, 6),
            category: sqlite3_column_type(statement, 7) == SQLITE_NULL
                ? nil : String(cString: sqlite3_column_text(statement, 7)))
        sqlite3_reset(statement)
        return stored
    }

    /// The client's integer key, upserting the client when this line tells something new about it.
    private func clientKey(_ line: SaleLine) throws -> Int64 {
        let attributes = ClientAttributes(name: line.clientName, manager: line.manager, region: line.region)
        let day = line.day.number
        // A document's lines come together: most rows repeat the previous row's client. Ids are compared by their
        // bytes, as the clients table keys them.
        if var last = lastClient, sameBytes(last.id, line.clientID), last.known.attributes == attributes {
            if day > last.known.latestDay {
                last.known.latestDay = day
                lastClient = last
            }
            return last.known.key
        }
        if let last = lastClient { knownClients[ByteText(last.id)] = last.known }
        if var known = knownClients[ByteText(line.clientID)] {
            if known.attributes == attributes {
                known.latestDay = max(known.latestDay, day)
                lastClient = (line.clientID, known)
                return known.key
            }
            // Other attributes: the latest day of the previous ones is stored first, as if each line had been.
            if known.latestDay > known.writtenDay {
                _ = try storeClient(line.clientID, known.attributes, day: known.latestDay)
            }
        }
        let key = try storeClient(line.clientID, attributes, day: day)
        let known = KnownClient(attributes: attributes, key: key, writtenDay: day, latestDay: day)
        knownClients[ByteText(line.clientID)] = known
        lastClient = (line.clientID, known)
        return key
    }

    private func storeClient(_ id: String, _ attributes: ClientAttributes, day: Int32) throws -> Int64 {
        let statement = upsertClient.sqliteStatement
        sqlite3_reset(statement)
        bind(statement, 1, id)
        bind(statement, 2, attributes.name)
        bind(statement, 3, attributes.manager)
        bind(statement, 4, attributes.region)
        sqlite3_bind_int64(statement, 5, Int64(day))
        let code = sqlite3_step(statement)
        guard code == SQLITE_ROW else {
            let message = db.lastErrorMessage
            sqlite3_reset(statement)
            throw DatabaseError(resultCode: ResultCode(rawValue: code), message: message, sql: upsertClient.sql)
        }
        let key = sqlite3_column_int64(statement, 0)
        sqlite3_reset(statement)
        return key
    }
}

/// Text for one row's statement, copied into memory this writer owns and bound without a copy by SQLite.
///
/// Binding Swift strings needs SQLITE_TRANSIENT (a malloc and a copy per value, under SQLite's memory mutex):
/// a Swift string gives no pointer that outlives the call. The arena's bytes stay put until the statement is
/// reset for the next row, which is what SQLITE_STATIC asks.
final class TextArena {
    private var storage: UnsafeMutablePointer<UInt8>
    private var capacity = 4096
    private var used = 0

    init() {
        storage = .allocate(capacity: capacity)
    }

    deinit {
        storage.deallocate()
    }

    /// Empties the arena, with room for `needed` bytes; the statement bound before must have been reset.
    func reset(needing needed: Int) {
        used = 0
        if needed > capacity {
            storage.deallocate()
            capacity = max(needed, capacity * 2)
            storage = .allocate(capacity: capacity)
        }
    }

    func bind(_ statement: SQLiteStatement, _ index: Int32, _ text: String?) {
        guard var text else {
            sqlite3_bind_null(statement, index)
            return
        }
        let start = storage + used
        let count = text.withUTF8 { bytes -> Int in
            guard let base = bytes.baseAddress else { return 0 }
            start.update(from: base, count: bytes.count)
            return bytes.count
        }
        used += count
        UnsafeRawPointer(start).withMemoryRebound(to: CChar.self, capacity: max(count, 1)) { chars in
            _ = sqlite3_bind_text(statement, index, chars, Int32(count), nil)
        }
    }
}
