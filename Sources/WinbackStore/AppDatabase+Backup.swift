import Foundation
import GRDB

extension AppDatabase {
    /// A backup whose copy SQLite finds damaged: the database it came from may be too.
    public struct DamagedCopy: Error, CustomStringConvertible {
        /// What `PRAGMA integrity_check` said, first problems first.
        public var problems: [String]
        public var description: String {
            "the copy fails SQLite's integrity check (\(problems.prefix(3).joined(separator: "; "))): the database "
                + "itself may be damaged; run PRAGMA integrity_check on it, or restore an earlier backup"
        }
    }

    /// Copies the database file at `source`, as it is at one moment, into the new database file at `destination`,
    /// while other processes go on reading and writing it.
    ///
    /// SQLite's online backup inside one read transaction: in WAL mode the copy is that transaction's snapshot, and
    /// the daemon's writes meanwhile go to the WAL, neither waiting for the copy nor appearing in it. `source` is
    /// opened as a plain connection, not as the store: nothing is migrated or written, so any winback can copy any
    /// winback's database. The copy is left in rollback-journal mode, one self-contained file (the store sets WAL
    /// again when it opens a restored copy), and is checked with `PRAGMA integrity_check` before this returns;
    /// ``DamagedCopy`` otherwise.
    ///
    /// - Parameter afterStep: called after each `pagesPerStep` pages are copied (tests write to the source there).
    public static func backup(
        databaseAt source: String, into destination: String, pagesPerStep: Int32 = 16_384,
        afterStep: (() throws -> Void)? = nil
    ) throws {
        var configuration = Configuration()
        configuration.busyMode = .timeout(busyTimeout)
        let from = try DatabaseQueue(path: source, configuration: configuration)
        defer { try? from.close() }
        let to = try DatabaseQueue(path: destination)
        defer { try? to.close() }
        try to.writeWithoutTransaction { copy in
            try from.read { db in
                // The read transaction holds its snapshot from its first read on: every step copies that snapshot.
                // Without it, each step would read afresh, and a write between two steps restart the copy.
                _ = try Int.fetchOne(db, sql: "SELECT count(*) FROM sqlite_master")
                try db.backup(to: copy, pagesPerStep: pagesPerStep) { progress in
                    if !progress.isCompleted { try afterStep?() }
                }
            }
            try copy.execute(sql: "PRAGMA journal_mode = DELETE")
            let problems: [String]
            do {
                problems = try String.fetchAll(copy, sql: "PRAGMA integrity_check")
            } catch let error as DatabaseError where error.resultCode == .SQLITE_CORRUPT {
                problems = [error.message ?? "\(error.resultCode)"]
            }
            guard problems == ["ok"] else { throw DamagedCopy(problems: problems) }
        }
    }
}
