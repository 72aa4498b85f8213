import GRDB
import WinbackCore

/// One file's import inside the one transaction the store opens and ends for it: the importer reads and checks
/// the file and hands the session what it found; it never touches the database itself.
public final class ImportSession {
    private let db: Database
    private var ledger: ImportRecord?

    init(db: Database) {
        self.db = db
    }

    /// Opens the file's ledger entry once its header said what it holds; returns the import's id.
    public func begin(_ record: ImportRecord) throws -> Int64 {
        var record = record
        try record.insert(db)
        ledger = record
        return record.id!
    }

    /// The writer of a sales file's lines. `replaceChanged`: a repeated line with other values replaces the stored
    /// one (the ERP's correction); false keeps the first. `control` is ticked while the aggregates are written; a
    /// stop asked there throws, and the import's transaction rolls back.
    public func salesWriter(replaceChanged: Bool, control: WorkControl? = nil) throws -> SalesWriter {
        try SalesWriter(db: db, importID: try importID(), replaceChanged: replaceChanged, control: control)
    }

    /// The writer of a contacts or clients file's rows.
    public func masterDataWriter() throws -> MasterDataWriter {
        try MasterDataWriter(db: db, importID: try importID())
    }

    /// Completes the ledger entry with what was stored, before the transaction commits.
    public func finish(rows: Int, inserted: Int, duplicates: Int, corrected: Int, finishedAt: String) throws {
        guard var record = ledger else { throw DatabaseError(message: "an import finished before it began") }
        record.rows = rows
        record.inserted = inserted
        record.duplicates = duplicates
        record.corrected = corrected
        record.finishedAt = finishedAt
        try record.update(db)
        ledger = record
    }

    private func importID() throws -> Int64 {
        guard let id = ledger?.id else { throw DatabaseError(message: "rows were written before the import began") }
        return id
    }
}

extension AppDatabase {
    /// How an import's transaction ends.
    public enum ImportEnd: Sendable {
        case commit, rollback
    }

    /// Runs `body` in one IMMEDIATE transaction, committed or rolled back as it says (or rolled back when it throws).
    /// Without calling it, returns the earlier successful import of the same content, checked under the write lock,
    /// since another process may have imported it meanwhile.
    public func importFile(sha256: String, _ body: (ImportSession) throws -> ImportEnd) throws -> ImportRecord? {
        var previous: ImportRecord?
        try writer.writeWithoutTransaction { db in
            // Every key an import stores comes from a row it wrote or read in this transaction (the client it
            // upserted, its own ledger entry, a client-day it folded), and it deletes a client-day's categories before
            // the day. SQLite's check of each reference cost two b-tree seeks per sales line and one per aggregate
            // row: a fifth of a first import. Off for this transaction only (the pragma cannot change inside one);
            // the import tests check the references afterwards.
            try db.execute(sql: "PRAGMA foreign_keys = OFF")
            defer { try? db.execute(sql: "PRAGMA foreign_keys = ON") }
            try db.inTransaction(.immediate) {
                try Self.refuseIfSuperseded(db)
                if let earlier = try ImportRecord.imported(sha256: sha256).fetchOne(db) {
                    previous = earlier
                    return .rollback
                }
                switch try body(ImportSession(db: db)) {
                case .commit: return .commit
                case .rollback: return .rollback
                }
            }
        }
        return previous
    }
}
