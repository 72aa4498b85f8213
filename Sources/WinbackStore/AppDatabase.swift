import Foundation
import GRDB

/// The winback database: one SQLite file shared by the daemon, which writes, and the CLI, which reads
/// and acknowledges.
///
/// It opens a `DatabasePool` (WAL, so readers never wait for the writer), waits up to `busyTimeout` for a
/// lock held by the other process instead of failing with "database is locked", keeps foreign keys on,
/// writes in IMMEDIATE transactions, and runs the migrations when it opens.
public struct AppDatabase: Sendable {
    /// The store's own: every read and write of the other targets goes through an intention-named method (an
    /// import through ``importFile(sha256:_:)``'s session), so that the store owns every write.
    let writer: any DatabaseWriter

    /// How long a connection waits for another process's lock before giving up.
    public static let busyTimeout: TimeInterval = 30

    /// A database written by a newer winback than this one: migrating it, or writing to it, could undo what the
    /// newer one stored. After an upgrade, the old daemon refuses it instead of sharing it with the new CLI.
    public struct Superseded: Error, CustomStringConvertible {
        public var known: String
        public var description: String {
            "the database was written by a newer winback (its schema goes past \"\(known)\"): run the newer winback, "
                + "or restore a backup taken before the upgrade"
        }
    }

    public init(_ writer: any DatabaseWriter) throws {
        self.writer = writer
        try writer.read(Self.refuseIfSuperseded)
        try AppDatabase.migrator.migrate(writer)
    }

    /// Every write of the store: one transaction, refused with ``Superseded`` when a newer winback migrated the
    /// database since this process opened it (an upgrade's new CLI beside the old daemon), so that nothing the
    /// newer one stored is written over.
    func write<T>(_ updates: (Database) throws -> T) throws -> T {
        try writer.write { db in
            try Self.refuseIfSuperseded(db)
            return try updates(db)
        }
    }

    /// Throws ``Superseded`` when the database holds a migration this binary does not know.
    static func refuseIfSuperseded(_ db: Database) throws {
        let migrator = AppDatabase.migrator
        if try migrator.hasBeenSuperseded(db) { throw Superseded(known: migrator.migrations.last ?? "") }
    }

    /// Non-nil when a newer winback has migrated the database since it was opened: a process that opened it
    /// before must stop writing.
    public func supersededBy() throws -> Superseded? {
        do {
            try writer.read(Self.refuseIfSuperseded)
            return nil
        } catch let superseded as Superseded {
            return superseded
        }
    }

    /// Closes the database at the end of a long-running process, first cutting the WAL to nothing: it may hold a
    /// gigabyte of frames from a job the stop rolled back (a first import). It waits at most a second for another
    /// process's readers, and skips the cut then; nothing is lost either way (the next opening recovers the WAL).
    public func close() {
        try? writer.writeWithoutTransaction { db in
            try db.execute(sql: "PRAGMA busy_timeout = 1000")
            try db.execute(sql: "PRAGMA wal_checkpoint(TRUNCATE)")
        }
        try? (writer as? DatabasePool)?.close()
    }

    /// Opens (creating when needed) the database file at `path`.
    public static func open(path: String) throws -> AppDatabase {
        let pool = try DatabasePool(path: path, configuration: makeConfiguration())
        return try AppDatabase(pool)
    }

    static func makeConfiguration() -> Configuration {
        var configuration = Configuration()
        configuration.foreignKeysEnabled = true
        configuration.busyMode = .timeout(busyTimeout)
        configuration.prepareDatabase { db in
            // A committed import survives a power cut, not only a crash: the inbox file is archived after it.
            try db.execute(sql: "PRAGMA synchronous = FULL")
            // 64 MiB of page cache for the writer: an import's index pages stay in memory instead of being spilled
            // to the WAL and read back. A fixed bound: memory does not grow with the file. Readers keep SQLite's
            // default, 2,000 KiB: a listing or a scan reads each page once, and a large cache only had to be
            // allocated and freed again (0.06 s and 57 MB of the 100,000-client JSON; the next-day scan was no slower
            // without it). The bound also holds a reader's sorts, which spill to a temporary file past it; the
            // listings sort in memory, and no reader sorts that many rows in SQL.
            if !db.configuration.readonly { try db.execute(sql: "PRAGMA cache_size = -65536") }
            // A first import writes the whole book through the WAL (1.3 GB for 10M lines), and a stopped one leaves
            // its frames there: the WAL is cut back to 64 MiB whenever it restarts, instead of keeping its peak size.
            try db.execute(sql: "PRAGMA journal_size_limit = 67108864")
        }
        return configuration
    }
}

/// One line that says what went wrong, for a person: SQLite's message without the statement and its arguments
/// (GRDB's description carries both, over several lines), anything else with its line breaks folded.
public func oneLine(_ error: any Error) -> String {
    if let error = error as? DatabaseError {
        let message = error.message ?? "\(error.resultCode)"
        let hint =
            switch error.resultCode.primaryResultCode {
            case .SQLITE_FULL: " (the disk is full)"
            case .SQLITE_READONLY, .SQLITE_PERM, .SQLITE_CANTOPEN: " (check the state directory's permissions)"
            case .SQLITE_BUSY, .SQLITE_LOCKED: " (another process held the database too long)"
            case .SQLITE_CORRUPT, .SQLITE_NOTADB: " (restore the database from a backup)"
            default: ""
            }
        return "database error: \(message)\(hint)"
    }
    return "\(error)".split(whereSeparator: \.isNewline).joined(separator: " ")
}
