import Foundation
import GRDB
import Testing
import WinbackCore
@testable import WinbackStore
import WinbackTestSupport

@Suite("Database")
struct AppDatabaseTests {
    /// This test's folder, removed when the test ends.
    let scratch: TemporaryFolder

    init() throws {
        scratch = try TemporaryFolder("winback-store")
    }
    @Test("the database is in WAL mode with foreign keys on")
    func pragmas() throws {
        let database = try scratch.database()
        let (journal, foreignKeys) = try database.writer.read { db in
            (try String.fetchOne(db, sql: "PRAGMA journal_mode"), try Int.fetchOne(db, sql: "PRAGMA foreign_keys"))
        }
        #expect(journal == "wal")
        #expect(foreignKeys == 1)
    }

    @Test("a database a newer winback has migrated is refused, untouched, with a reason a person can act on")
    func superseded() throws {
        let database = try scratch.database()
        let path = database.writer.path
        try database.writer.write { db in
            try db.execute(sql: "INSERT INTO grdb_migrations (identifier) VALUES ('v99: from the future')")
        }
        #expect {
            _ = try AppDatabase.open(path: path)
        } throws: { error in
            oneLine(error).hasPrefix(
                "the database was written by a newer winback (its schema goes past \"\(AppDatabase.migrator.migrations.last!)\"")
                && (error as? AppDatabase.Superseded) != nil
        }
        let rows = try database.writer.read { try String.fetchAll($0, sql: "SELECT identifier FROM grdb_migrations") }
        #expect(rows.last == "v99: from the future")
        // A process that opened it before the newer one migrated writes nothing more either.
        #expect(throws: AppDatabase.Superseded.self) {
            try database.raiseScanFailed(on: Day(iso: "2025-01-01")!, reason: "test", attempts: 1)
        }
        #expect(throws: AppDatabase.Superseded.self) { try database.importFile(sha256: "x") { _ in .commit } }
        #expect(try database.alerts(AlertFilter(statuses: AlertStatus.allCases)).isEmpty)
    }

    @Test("upgrading a database whose scans kept the aggregates folds what no scan had, and totals every client")
    func upgradeFoldsPendingSales() throws {
        let path = scratch.url.appendingPathComponent("old.sqlite").path
        let old = try DatabaseQueue(path: path)
        try AppDatabase.migrator.migrate(old, upTo: "v6: replays, the feed, corrections, more alert kinds")
        try old.write { db in
            try db.execute(
                sql: """
                    INSERT INTO imports (id, file_name, sha256, kind, bytes, started_at, finished_at, outcome)
                    VALUES (1, 'a.csv', ?, 'sales', 0, '', '', 'imported');
                    INSERT INTO clients (id, client_id) VALUES (1, 'C1'), (2, 'C2');
                    -- Line 1 a scan aggregated; 2 and 3 came after it; 4 a return on a day of its own.
                    INSERT INTO sales (id, document, line, day, client, quantity, amount, margin, category, import_id, source_line)
                    VALUES (1, 'D1', 1, 100, 1, 1, 10000, 2000, 'Tools', 1, 2),
                           (2, 'D1', 2, 100, 1, 1, 5000, NULL, 'Paint', 1, 3),
                           (3, 'D2', 1, 103, 2, 1, 7000, 100, NULL, 1, 4),
                           (4, 'D3', 1, 104, 1, 1, -3000, NULL, 'Tools', 1, 5);
                    INSERT INTO client_days VALUES (1, 100, 10000, 10000, 0, 2000, 1, 1);
                    INSERT INTO client_day_categories VALUES (1, 100, 'Tools', 10000);
                    INSERT INTO book_days VALUES (100, 1, 1);
                    UPDATE aggregation SET sales_through = 1;
                    """, arguments: [String(repeating: "a", count: 64)])
        }
        try old.close()
        let database = try AppDatabase.open(path: path)
        let expected = try scratch.database()
        try expected.writer.writeWithoutTransaction { db in
            try db.execute(sql: "ATTACH DATABASE ? AS old", arguments: [path])
            try db.inTransaction {
                for table in ["imports", "clients", "sales"] {
                    try db.execute(sql: "INSERT INTO \(table) SELECT * FROM old.\(table)")
                }
                try Aggregates(db: db).rebuild()
                return .commit
            }
            try db.execute(sql: "DETACH DATABASE old")
        }
        for query in [
            "SELECT * FROM client_days ORDER BY client, day", "SELECT * FROM client_day_categories ORDER BY 1, 2, 3",
            "SELECT * FROM book_days ORDER BY day", "SELECT * FROM client_totals ORDER BY client",
        ] {
            let upgraded = try database.writer.read { try Row.fetchAll($0, sql: query) }
            #expect(upgraded == (try expected.writer.read { try Row.fetchAll($0, sql: query) }), "\(query)")
        }
        let totals = try database.writer.read { try Row.fetchAll($0, sql: "SELECT * FROM client_totals ORDER BY client") }
        #expect(totals.map { $0["revenue"] as Int64 } == [12000, 7000])
        #expect(totals.map { $0["documents"] as Int } == [2, 1])
        #expect(totals.map { $0["purchase_days"] as Int } == [1, 1], "a day of returns only is no purchase")
        let tables = try database.writer.read { try String.fetchAll($0, sql: "SELECT name FROM sqlite_master") }
        #expect(!tables.contains("aggregation") && !tables.contains("dirty_client_days"))
    }

    @Test("the schema refuses what Swift should never write: orphan sales, unknown outcomes, a file imported twice")
    func constraints() throws {
        let database = try scratch.database()
        try database.writer.write { db in
            try db.execute(
                sql: """
                    INSERT INTO imports (id, file_name, sha256, kind, bytes, started_at, finished_at, outcome)
                    VALUES (1, 'a.csv', ?, 'sales', 0, '', '', 'imported')
                    """, arguments: [String(repeating: "a", count: 64)])
            try db.execute(sql: "INSERT INTO clients (id, client_id) VALUES (1, 'C1')")
        }
        func refused(_ sql: String) {
            #expect(throws: DatabaseError.self, "\(sql)") { try database.writer.write { try $0.execute(sql: sql) } }
        }
        refused(
            "INSERT INTO sales (document, line, day, client, quantity, amount, import_id, source_line) VALUES ('D', 1, 0, 99, 1, 1, 1, 2)")
        refused("INSERT INTO contacts (day, client, outcome, import_id) VALUES (0, 1, 'great', 1)")
        refused("INSERT INTO clients (client_id) VALUES ('')")
        refused(
            """
            INSERT INTO imports (file_name, sha256, kind, bytes, started_at, finished_at, outcome)
            VALUES ('b.csv', '\(String(repeating: "a", count: 64))', 'sales', 0, '', '', 'imported')
            """)
        // The same line twice is ignored by the writer's ON CONFLICT; plainly inserted, it is refused.
        try database.writer.write { db in
            try db.execute(
                sql: "INSERT INTO sales (document, line, day, client, quantity, amount, import_id, source_line) VALUES ('D', 1, 0, 1, 1, 1, 1, 2)")
        }
        refused(
            "INSERT INTO sales (document, line, day, client, quantity, amount, import_id, source_line) VALUES ('D', 1, 5, 1, 1, 1, 1, 3)")
    }

    @Test("a writer in another connection waits for the lock instead of failing with 'database is locked'")
    func busyTimeout() throws {
        let first = try scratch.database()
        let url = try first.writer.read { db in try Row.fetchOne(db, sql: "PRAGMA database_list")!["file"] as String }
        let second = try AppDatabase.open(path: url)
        let holding = DispatchSemaphore(value: 0)
        let done = DispatchSemaphore(value: 0)
        DispatchQueue.global().async {
            try? first.writer.write { db in
                try db.execute(sql: "INSERT INTO clients (client_id) VALUES ('held')")
                holding.signal()
                // Hold the write lock for a moment while the other connection tries to write.
                Thread.sleep(forTimeInterval: 0.3)
            }
            done.signal()
        }
        holding.wait()
        try second.writer.write { db in try db.execute(sql: "INSERT INTO clients (client_id) VALUES ('waited')") }
        done.wait()
        let count = try second.writer.read { db in try Int.fetchOne(db, sql: "SELECT count(*) FROM clients") }
        #expect(count == 2)
    }
}

extension TemporaryFolder {
    /// A database in this folder: WAL and all, like the real one.
    func database() throws -> AppDatabase {
        try AppDatabase.open(path: url.appendingPathComponent("winback.sqlite").path)
    }
}
