import Foundation
import GRDB
import Testing
import WinbackTestSupport

@testable import WinbackStore

@Suite("Backup")
struct BackupTests {
    let scratch: TemporaryFolder

    init() throws {
        scratch = try TemporaryFolder("winback-backup")
    }

    @Test("a backup taken while another connection writes is one moment's database, whole, and the writer never waits")
    func copyWhileWriting() throws {
        // Given a database of some hundred pages, and a second connection as the daemon would hold
        let live = try scratch.database()
        let path = live.writer.path
        try live.writer.write { db in
            for index in 0..<2000 {
                try db.execute(
                    sql: "INSERT INTO clients (client_id, name) VALUES (?, ?)",
                    arguments: ["C\(index)", String(repeating: "n", count: 200)])
            }
        }
        let daemon = try AppDatabase.open(path: path)
        let copy = scratch.url.appendingPathComponent("copy.sqlite").path

        // When the daemon commits a write between two steps of the copy
        var steps = 0
        let started = Date()
        try AppDatabase.backup(databaseAt: path, into: copy, pagesPerStep: 8) {
            steps += 1
            if steps == 1 {
                try daemon.writer.write { db in
                    try db.execute(sql: "INSERT INTO clients (client_id) VALUES ('during the backup')")
                    try db.execute(sql: "DELETE FROM clients WHERE client_id = 'C0'")
                }
            }
        }

        // Then the copy holds the rows as they were when the copy began, passes the integrity check, and is one file
        #expect(steps > 10, "the copy took several steps")
        #expect(Date().timeIntervalSince(started) < AppDatabase.busyTimeout / 2, "the write did not wait for the copy")
        let copied = try DatabaseQueue(path: copy)
        let (integrity, clients, first, journal) = try copied.read { db in
            (
                try String.fetchAll(db, sql: "PRAGMA integrity_check"),
                try Int.fetchOne(db, sql: "SELECT count(*) FROM clients"),
                try Bool.fetchOne(db, sql: "SELECT count(*) FROM clients WHERE client_id = 'C0'"),
                try String.fetchOne(db, sql: "PRAGMA journal_mode")
            )
        }
        #expect(integrity == ["ok"])
        #expect(clients == 2000, "the row written during the copy is not in it")
        #expect(first == true, "the row deleted during the copy is still in it")
        #expect(journal == "delete")
        try copied.close()
        #expect(try live.writer.read { try Int.fetchOne($0, sql: "SELECT count(*) FROM clients") } == 2000)
        #expect(!FileManager.default.fileExists(atPath: copy + "-wal"))
        // And the store opens the copy as it opens the live database, in WAL mode again.
        let restored = try AppDatabase.open(path: copy)
        #expect(try restored.writer.read { try String.fetchOne($0, sql: "PRAGMA journal_mode") } == "wal")
        #expect(try restored.writer.read { try Int.fetchOne($0, sql: "SELECT count(*) FROM clients") } == 2000)
    }

    @Test("a damaged database gives no backup, but a reason")
    func damaged() throws {
        let live = try scratch.database()
        let path = live.writer.path
        try live.writer.write { db in
            try db.execute(sql: "CREATE TABLE filler (x TEXT)")
            for _ in 0..<200 {
                try db.execute(sql: "INSERT INTO filler VALUES (?)", arguments: [String(repeating: "x", count: 500)])
            }
            try db.execute(sql: "CREATE INDEX filler_x ON filler(x)")
        }
        live.close()
        // An index page overwritten with zeros: the file still opens, the index no longer matches its table.
        let rootPage = try DatabaseQueue(path: path).read { db in
            try Int.fetchOne(db, sql: "SELECT rootpage FROM sqlite_master WHERE name = 'filler_x'")!
        }
        let handle = try FileHandle(forUpdating: URL(fileURLWithPath: path))
        try handle.seek(toOffset: UInt64((rootPage - 1) * 4096 + 100))
        handle.write(Data(repeating: 0, count: 3000))
        try handle.close()
        let copy = scratch.url.appendingPathComponent("copy.sqlite").path
        #expect {
            try AppDatabase.backup(databaseAt: path, into: copy)
        } throws: { error in
            "\(error)".hasPrefix("the copy fails SQLite's integrity check (") && error is AppDatabase.DamagedCopy
        }
    }
}
