import Foundation
import Testing
import WinbackTestSupport

#if canImport(Glibc)
    import Glibc
#endif

/// Operators work the alert list while the daemon imports and scans: no command fails, none sees
/// "database is locked".
@Suite("The CLI beside a busy daemon")
struct ConcurrencyTests {
    @Test("alerts, list, clients and ack in a tight loop while the daemon imports each file and rescans: zero failures")
    func cliDuringWork() throws {
        let winback = try WinbackProcess()
        try winback.writeDaemonConfig(rescanDelay: 0)
        // A first book, scanned, so that there are alerts to work.
        let first = winback.folder.appendingPathComponent("first.csv").path
        _ = try winback.run(
            ["generate", "--clients", "300", "--from", "2024-01-01", "--to", "2025-03-31", "-o", first],
            withConfig: false)
        _ = try winback.run(["import", first])
        _ = try winback.run(["scan", "--as-of", "2025-03-31"])
        let daemon = try RunningDaemon(winback)
        #expect(daemon.notify.wait(seconds: 10) { $0.contains("READY=1") } != nil)
        // More sales arrive one month at a time while the CLI works: each file is dropped, and commands run until
        // the daemon has imported and archived it (and rescanned after it), so every one of them overlaps its work.
        let inbox = winback.folder.appendingPathComponent("state/inbox")
        let archive = winback.folder.appendingPathComponent("state/archive")
        func archived(_ name: String) -> Bool {
            ((try? FileManager.default.contentsOfDirectory(atPath: archive.path)) ?? []).contains { $0.contains(name) }
        }
        var failures: [String] = []
        var commands = 0
        var overlapping: [Int] = []
        func work() throws {
            for arguments in [
                ["alerts", "--format", "json"], ["list", "--format", "csv"], ["clients", "--format", "json"],
            ] {
                let result = try winback.run(arguments)
                commands += 1
                if result.status != 0 { failures.append("\(arguments): \(result.stderr)") }
                if arguments[0] == "alerts",
                    let rows = try? JSONSerialization.jsonObject(with: Data(result.stdout.utf8)) as? [[String: Any]],
                    let id = rows.first?["id"] as? Int
                {
                    let ack = try winback.run(["ack", String(id)])
                    commands += 1
                    // A rescan may resolve the alert between the listing and the ack: refusing it is the right
                    // answer, and says so; anything else is a failure.
                    let resolvedMeanwhile = ack.stderr == "winback: alert #\(id) is resolved\n"
                    if ack.status != 0, !resolvedMeanwhile { failures.append("ack: \(ack.stderr)") }
                }
            }
        }
        for month in 4...9 {
            let path = winback.folder.appendingPathComponent("m\(month).csv").path
            _ = try winback.run(
                [
                    "generate", "--clients", "300", "--from", "2025-0\(month)-01", "--to", "2025-0\(month)-28",
                    "--seed", "\(month)", "-o", path,
                ],
                withConfig: false)
            let text = try String(contentsOfFile: path, encoding: .utf8).replacingOccurrences(
                of: "INV-", with: "M\(month)-")
            try text.write(to: inbox.appendingPathComponent(".m\(month)"), atomically: true, encoding: .utf8)
            rename(inbox.appendingPathComponent(".m\(month)").path, inbox.appendingPathComponent("m\(month).csv").path)
            let before = commands
            let deadline = Date().addingTimeInterval(60)
            while !archived("m\(month).csv"), Date() < deadline { try work() }
            overlapping.append(commands - before)
            try work()  // and the rescan after it
        }
        print(
            "CLI beside a busy daemon: \(commands) commands, \(failures.count) failures, \(overlapping) while each file was in work"
        )
        #expect(failures.isEmpty, "\(failures.count) of \(commands) commands failed: \(failures.prefix(3))")
        #expect(
            overlapping.allSatisfy { $0 > 0 }, "commands ran while each file was waiting or importing: \(overlapping)")
        #expect((0..<6).allSatisfy { archived("m\($0 + 4).csv") })
        daemon.signal(SIGTERM)
        #expect(daemon.finish(within: 30).status == 0)
    }
}
