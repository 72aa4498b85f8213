import GRDB

/// One attempt to import one file: what it was, what came of it. The ledger the daemon and `import` keep.
public struct ImportRecord: Codable, Sendable, Equatable, FetchableRecord, MutablePersistableRecord {
    public static let databaseTableName = "imports"

    public enum Outcome: String, Codable, Sendable {
        case imported, rejected
    }

    public var id: Int64?
    public var fileName: String
    public var sha256: String
    /// `sales`, `contacts` or `clients`; nil when the file was refused before its header told.
    public var kind: String?
    public var bytes: Int64
    public var rows: Int
    public var inserted: Int
    public var duplicates: Int
    /// Of the duplicates, those that carried other values and replaced the stored line (the ERP's corrections).
    public var corrected: Int
    public var startedAt: String
    public var finishedAt: String
    public var outcome: Outcome
    public var error: String?

    enum CodingKeys: String, CodingKey {
        case id, kind, bytes, rows, inserted, duplicates, corrected, outcome, error, sha256
        case fileName = "file_name"
        case startedAt = "started_at"
        case finishedAt = "finished_at"
    }

    public init(
        id: Int64? = nil, fileName: String, sha256: String, kind: String?, bytes: Int64, rows: Int = 0,
        inserted: Int = 0, duplicates: Int = 0, corrected: Int = 0, startedAt: String, finishedAt: String,
        outcome: Outcome,
        error: String? = nil
    ) {
        self.id = id
        self.fileName = fileName
        self.sha256 = sha256
        self.kind = kind
        self.bytes = bytes
        self.rows = rows
        self.inserted = inserted
        self.duplicates = duplicates
        self.corrected = corrected
        self.startedAt = startedAt
        self.finishedAt = finishedAt
        self.outcome = outcome
        self.error = error
    }

    public mutating func didInsert(_ inserted: InsertionSuccess) {
        id = inserted.rowID
    }
}

extension ImportRecord {
    /// The successful import of a file with this content.
    static func imported(sha256: String) -> QueryInterfaceRequest<ImportRecord> {
        ImportRecord.filter(Column("sha256") == sha256 && Column("outcome") == "imported")
    }
}

extension AppDatabase {
    // MARK: - Database Access: Reads

    /// The successful import of a file with this content, if there was one.
    public func importedFile(sha256: String) throws -> ImportRecord? {
        try writer.read { db in
            try ImportRecord.imported(sha256: sha256).fetchOne(db)
        }
    }

    /// Every import attempt, newest first.
    public func imports(limit: Int = 100) throws -> [ImportRecord] {
        try writer.read { db in
            try ImportRecord.order(Column("id").desc).limit(limit).fetchAll(db)
        }
    }

    // MARK: - Database Access: Writes

    /// Records a refused file. Its rows were never stored: this is the ledger entry and nothing else.
    @discardableResult
    public func recordRejection(_ record: ImportRecord) throws -> ImportRecord {
        var record = record
        record.outcome = .rejected
        try write { db in try record.insert(db) }
        return record
    }
}
