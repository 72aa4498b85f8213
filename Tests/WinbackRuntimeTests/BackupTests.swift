import Foundation
import Testing
import WinbackRuntime
import WinbackStore
import WinbackTestSupport

#if canImport(Glibc)
    import Glibc
#endif

/// `winback backup FILE`: where the copy goes, and what it refuses to do.
@Suite("Backup to a file")
struct BackupFileTests {
    let scratch: TemporaryFolder
    let database: String

    init() throws {
        scratch = try TemporaryFolder("winback-backup-file")
        let state = StateDirectory(root: scratch.url.appendingPathComponent("state").path)
        try state.prepare()
        database = state.databasePath
        let store = try AppDatabase.open(path: database)
        try store.recordScheduledScan(.init(iso: "2025-03-31")!)
        store.close()
    }

    func path(_ name: String) -> String { scratch.url.appendingPathComponent(name).path }

    func failure(_ body: () throws -> Void) -> String? {
        #expect(throws: Backup.Failure.self, performing: body)?.description
    }

    @Test("the copy gets its name only when complete, readable by the group and nobody else, and holds the data")
    func writesAside() throws {
        let target = path("backups/winback.sqlite")
        try FileManager.default.createDirectory(atPath: path("backups"), withIntermediateDirectories: true)
        let copy = try Backup.write(database: database, to: target, replace: false)
        #expect(copy.path == target)
        #expect(copy.bytes > 0)
        #expect(try FileManager.default.contentsOfDirectory(atPath: path("backups")) == ["winback.sqlite"])
        var info = stat()
        #expect(stat(target, &info) == 0)
        #expect(info.st_mode & 0o777 == 0o640)
        #expect(try AppDatabase.open(path: target).lastScheduledDay()?.iso == "2025-03-31")
    }

    @Test("an existing file is replaced only with --force; never a folder, nor the live database")
    func existing() throws {
        let target = path("old.sqlite")
        try "keep me".write(toFile: target, atomically: false, encoding: .utf8)
        #expect(
            failure { try Backup.write(database: database, to: target, replace: false) }
                == "\(target) already exists: give --force to replace it")
        #expect(try String(contentsOfFile: target, encoding: .utf8) == "keep me")
        try Backup.write(database: database, to: target, replace: true)
        #expect(try AppDatabase.open(path: target).lastScheduledDay()?.iso == "2025-03-31")

        #expect(
            failure { try Backup.write(database: database, to: scratch.url.path, replace: true) }
                == "\(scratch.url.path) is a folder: name the backup file to write")
        #expect(
            failure { try Backup.write(database: database, to: database, replace: true) }
                == "\(database) is the live database itself: back it up to another file")
        #expect(try AppDatabase.open(path: database).lastScheduledDay()?.iso == "2025-03-31")
        // Neither a device or FIFO (as root, --force onto /dev/null made it a file of every sale) nor the WAL.
        let fifo = path("pipe")
        #expect(mkfifo(fifo, 0o600) == 0)
        #expect(
            failure { try Backup.write(database: database, to: fifo, replace: true) }
                == "\(fifo) is not a regular file: name a file to write")
        var info = stat()
        #expect(lstat(fifo, &info) == 0 && (info.st_mode & S_IFMT) == S_IFIFO)
        #expect(
            failure { try Backup.write(database: database, to: database + "-wal", replace: true) }
                == "\(database)-wal belongs to the live database: back it up to another file")
    }

    @Test("a missing folder, a file for a folder, or no database: one line naming what is wrong, nothing written")
    func refusals() throws {
        #expect(
            failure { try Backup.write(database: database, to: path("nowhere/b.sqlite"), replace: false) }
                == "cannot write \(path("nowhere/b.sqlite")): the folder \(path("nowhere")) does not exist")
        try "".write(toFile: path("file"), atomically: false, encoding: .utf8)
        #expect(
            failure { try Backup.write(database: database, to: path("file/b.sqlite"), replace: false) }
                == "cannot write \(path("file/b.sqlite")): \(path("file")) is not a folder")
        #expect(
            failure { try Backup.write(database: path("none.sqlite"), to: path("b.sqlite"), replace: false) }
                == "no database to back up at \(path("none.sqlite")) (is state_dir right?)")
        #expect(!FileManager.default.fileExists(atPath: path("none.sqlite")), "the missing database was not created")
        #expect(!FileManager.default.fileExists(atPath: path("b.sqlite")))
    }
}
