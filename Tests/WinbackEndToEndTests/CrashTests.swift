import Foundation
import GRDB
import Testing
import WinbackTestSupport

#if canImport(Glibc)
    import Glibc
#endif

/// The daemon killed with SIGKILL at random moments while it imports, scans and writes the outbox, and
/// started again: nothing lost, nothing doubled, nothing half-written, the database intact.
///
/// A handful of kills by default; `WINBACK_CRASH_KILLS=60 swift test --filter Crash` for the long run.
@Suite("SIGKILL at random moments")
struct CrashTests {
    static var kills: Int { ProcessInfo.processInfo.environment["WINBACK_CRASH_KILLS"].flatMap(Int.init) ?? 6 }

    /// `count` sales lines of documents `prefix-1…`, for clients spread over 300.
    static func sales(_ prefix: String, _ range: ClosedRange<Int>, day: String) -> String {
        "date,client_id,document,line,amount\n"
            + range.map { "\(day),C\($0 % 300),\(prefix)-\($0 / 3),\($0 % 3 + 1),\(10 + $0 % 90)\n" }.joined()
    }

    @Test("every file imported once or rejected, no line lost or doubled, no alert doubled, the database intact")
    func killAndRestart() throws {
        let winback = try WinbackProcess()
        try winback.writeDaemonConfig(rescanDelay: 0)
        let state = winback.folder.appendingPathComponent("state")
        let inbox = state.appendingPathComponent("inbox")
        try FileManager.default.createDirectory(at: inbox, withIntermediateDirectories: true)
        var generator = SystemRandomNumberGenerator()
        var files: [(name: String, text: String, good: Bool)] = []
        var expectedLines = 0
        for index in 0..<Self.kills {
            let start = index * 6000 + 1
            files.append(("part-\(index).csv", Self.sales("D", start...(start + 5999), day: "2024-0\(1 + index % 9)-1\(index % 10)"), true))
            expectedLines += 6000
            if index % 3 == 1 {
                // A re-export overlapping the part before it, and a broken file.
                files.append(("again-\(index).csv", Self.sales("D", (start - 3000)...(start + 2999), day: "2024-0\(1 + index % 9)-1\(index % 10)"), true))
                files.append(("broken-\(index).csv", "date,client_id,document,amount\nnot a date,C1,X\(index),5\n", false))
            }
        }
        // The overlap re-exports days already sent: only lines not stored before count.
        let distinct = Set(files.filter(\.good).flatMap { $0.text.split(separator: "\n").dropFirst().map { $0.split(separator: ",")[2...3].joined(separator: ",") } })
        expectedLines = distinct.count

        var pending = files[...]
        for _ in 0..<Self.kills {
            // Always some work under way: the next files, dropped whole.
            for file in pending.prefix(2) {
                let aside = winback.folder.appendingPathComponent(".aside")
                try file.text.write(to: aside, atomically: false, encoding: .utf8)
                rename(aside.path, inbox.appendingPathComponent(file.name).path)
            }
            pending = pending.dropFirst(2)
            let daemon = try Spawned(
                WinbackProcess.executable.path, ["daemon", "--config", winback.config.path],
                environment: WinbackProcess.environment([:]))
            usleep(UInt32.random(in: 150_000...1_200_000, using: &generator))
            daemon.signal(SIGKILL)
            #expect(daemon.wait() == 128 + SIGKILL)
        }
        for file in pending {
            try file.text.write(to: inbox.appendingPathComponent(file.name), atomically: true, encoding: .utf8)
        }
        // A last run that may finish its work, then stops cleanly.
        let daemon = try RunningDaemon(winback)
        let processing = inbox.appendingPathComponent(".processing")
        let done = eventually(60) {
            let waiting = (try? FileManager.default.contentsOfDirectory(atPath: inbox.path))?.filter { !$0.hasPrefix(".") } ?? []
            let claimed = (try? FileManager.default.contentsOfDirectory(atPath: processing.path)) ?? []
            return waiting.isEmpty && claimed.isEmpty
        }
        #expect(done)
        // Idle again: whatever the run had to finish (imports, the rescan they start) is done.
        usleep(1_500_000)
        #expect(daemon.notify.wait(seconds: 10) { $0.contains("daily scan at") } != nil)
        daemon.signal(SIGTERM)
        #expect(daemon.finish(within: 30).status == 0)

        // Every file ended in archive/ or rejected/, once.
        let archived = Set(try FileManager.default.contentsOfDirectory(atPath: state.appendingPathComponent("archive").path))
        let rejected = Set(try FileManager.default.contentsOfDirectory(atPath: state.appendingPathComponent("rejected").path))
        for file in files {
            if file.good {
                #expect(archived.contains(file.name), "\(file.name) archived")
            } else {
                #expect(rejected.contains(file.name) && rejected.contains(file.name + ".error.txt"), "\(file.name) rejected")
            }
        }
        #expect(archived.count == files.filter(\.good).count, "no file archived twice: \(archived.sorted())")

        // No line lost or doubled, no alert doubled, the database intact, the outbox whole.
        let database = try DatabaseQueue(path: state.appendingPathComponent("winback.sqlite").path)
        try database.read { db in
            #expect(try Int.fetchOne(db, sql: "SELECT count(*) FROM sales") == expectedLines)
            #expect(try String.fetchOne(db, sql: "PRAGMA integrity_check") == "ok")
            #expect(try Int.fetchOne(db, sql: "PRAGMA foreign_key_check") == nil)
            let doubled = try Int.fetchOne(
                db,
                sql: """
                    SELECT count(*) FROM (SELECT 1 FROM alerts WHERE resolution IS NULL
                                          GROUP BY coalesce(client, 0), kind, category HAVING count(*) > 1)
                    """)
            #expect(doubled == 0)
            let imports = try Int.fetchOne(db, sql: "SELECT count(*) FROM imports WHERE outcome = 'imported'")
            #expect(imports == files.filter(\.good).count)
        }
        for folder in try FileManager.default.contentsOfDirectory(atPath: state.appendingPathComponent("outbox").path) {
            let path = state.appendingPathComponent("outbox/\(folder)")
            for line in try String(contentsOf: path.appendingPathComponent("alerts.jsonl"), encoding: .utf8).split(separator: "\n") {
                #expect((try? JSONSerialization.jsonObject(with: Data(line.utf8))) != nil, "a whole JSON line")
            }
            #expect(try String(contentsOf: path.appendingPathComponent("digest.md"), encoding: .utf8).hasSuffix("\n"))
        }
    }
}
