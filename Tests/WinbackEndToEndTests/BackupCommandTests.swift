import Foundation
import GRDB
import Testing
import WinbackTestSupport

#if canImport(Glibc)
    import Glibc
#endif

/// `winback backup FILE` as an admin runs it, and what an older binary does with a newer database.
@Suite("winback backup")
struct BackupCommandTests {
    let sales = "date,client_id,document,amount\n2024-03-05,C1,INV-1,100\n2024-03-06,C2,INV-2,50\n"

    @Test("backup writes a copy the other commands can read; a second one needs --force; a missing folder is one line")
    func backup() throws {
        let winback = try WinbackProcess()
        #expect(try winback.run(["import", try winback.file("sales.csv", sales)]).status == 0)
        let target = winback.folder.appendingPathComponent("winback-backup.sqlite").path

        let first = try winback.run(["backup", target])
        #expect(first.status == 0, "stderr: \(first.stderr)")
        #expect(first.stdout.hasPrefix("backed up \(winback.folder.path)/state/winback.sqlite to \(target): "))
        #expect(first.stdout.contains("integrity checked"))
        let copy = try DatabaseQueue(path: target)
        #expect(try copy.read { try Int.fetchOne($0, sql: "SELECT count(*) FROM sales") } == 2)
        try copy.close()

        let again = try winback.run(["backup", target])
        #expect(again.status == 1)
        #expect(again.stderr == "winback: \(target) already exists: give --force to replace it\n")
        #expect(try winback.run(["backup", "--force", target]).status == 0)

        let nowhere = winback.folder.appendingPathComponent("no/such/folder/b.sqlite").path
        let missing = try winback.run(["backup", nowhere])
        #expect(missing.status == 1)
        #expect(
            missing.stderr
                == "winback: cannot write \(nowhere): the folder \((nowhere as NSString).deletingLastPathComponent) does not exist\n"
        )
        let leftovers = try FileManager.default.contentsOfDirectory(atPath: winback.folder.path).filter {
            $0.hasPrefix(".")
        }
        #expect(leftovers.isEmpty, "nothing half-written left aside: \(leftovers)")
    }

    @Test("a folder this user cannot write is refused with one line, before anything is read")
    func unwritableFolder() throws {
        let winback = try WinbackProcess()
        let locked = winback.folder.appendingPathComponent("locked")
        try FileManager.default.createDirectory(at: locked, withIntermediateDirectories: false)
        chmod(locked.path, 0o555)
        defer { chmod(locked.path, 0o755) }
        let target = locked.appendingPathComponent("b.sqlite").path
        let arguments = ["backup", target, "--config", winback.config.path]
        // Root may write anywhere: the command runs as nobody then.
        let child =
            geteuid() == 0
            ? try Spawned(
                "/usr/bin/setpriv",
                ["--reuid=65534", "--regid=65534", "--clear-groups", WinbackProcess.executable.path] + arguments,
                environment: WinbackProcess.environment([:]))
            : try Spawned(WinbackProcess.executable.path, arguments, environment: WinbackProcess.environment([:]))
        #expect(child.wait() == 1)
        #expect(
            child.stderr == "winback: cannot write \(target): the folder \(locked.path) is not writable by this user\n")
    }

    @Test("after an upgrade, the old binary refuses the newer database in one line, and can still back it up")
    func newerDatabase() throws {
        let winback = try WinbackProcess()
        #expect(try winback.run(["import", try winback.file("sales.csv", sales)]).status == 0)
        let database = winback.folder.appendingPathComponent("state/winback.sqlite").path
        // What a newer winback's migration leaves: a migration this binary does not know.
        let newer = try DatabaseQueue(path: database)
        try newer.write {
            try $0.execute(sql: "INSERT INTO grdb_migrations (identifier) VALUES ('v99: from the future')")
        }
        try newer.close()

        for command in [["clients"], ["status"], ["import", try winback.file("more.csv", sales)]] {
            let refused = try winback.run(command)
            #expect(refused.status == 1, "\(command)")
            #expect(
                refused.stderr.hasPrefix("winback: the database was written by a newer winback (its schema goes past "),
                "\(command): \(refused.stderr)")
            #expect(refused.stderr.filter { $0 == "\n" }.count == 1)
        }
        let target = winback.folder.appendingPathComponent("before-downgrade.sqlite").path
        let backup = try winback.run(["backup", target])
        #expect(backup.status == 0, "stderr: \(backup.stderr)")
        let migrations = try DatabaseQueue(path: database).read {
            try String.fetchAll($0, sql: "SELECT identifier FROM grdb_migrations")
        }
        #expect(migrations.last == "v99: from the future", "the newer schema was left as it was")
    }
}
