import Foundation
import Testing
import WinbackTestSupport

#if canImport(Glibc)
    import Glibc
#endif

/// What used to take the daemon down or leave it stuck, reproduced against the real binary.
@Suite("The daemon survives what is planted, long and failing")
struct DaemonHardeningTests {
    func entries(_ folder: URL) -> [String] {
        ((try? FileManager.default.contentsOfDirectory(atPath: folder.path)) ?? []).filter { !$0.hasPrefix(".") }.sorted()
    }

    @Test("a FIFO and a link planted in .processing are refused unread; the daemon keeps pinging and stops on SIGTERM")
    func plantedInProcessing() throws {
        let winback = try WinbackProcess()
        try winback.writeDaemonConfig()
        let state = winback.folder.appendingPathComponent("state")
        let processing = state.appendingPathComponent("inbox/.processing")
        try FileManager.default.createDirectory(at: processing, withIntermediateDirectories: true)
        let secret = winback.folder.appendingPathComponent("secret.txt")
        try "root:$6$SECRETHASH:19000:0:99999:7:::\n".write(to: secret, atomically: true, encoding: .utf8)
        #expect(mkfifo(processing.appendingPathComponent("pipe.csv").path, 0o660) == 0)
        #expect(symlink(secret.path, processing.appendingPathComponent("shadow.csv").path) == 0)

        // Planted before the start too: a restarted daemon must not hang on them.
        let daemon = try RunningDaemon(winback, environment: ["WATCHDOG_USEC": "1000000"])
        #expect(daemon.notify.wait(seconds: 10) { $0.contains("READY=1") } != nil)
        let rejected = state.appendingPathComponent("rejected")
        let refused = ["pipe.csv", "pipe.csv.error.txt", "shadow.csv", "shadow.csv.error.txt"]
        #expect(eventually(10) { Set(entries(rejected)).isSuperset(of: refused) }, "\(entries(rejected))")
        #expect(entries(processing).isEmpty)
        for name in ["pipe.csv.error.txt", "shadow.csv.error.txt"] {
            let text = (try? String(contentsOf: rejected.appendingPathComponent(name), encoding: .utf8)) ?? ""
            #expect(!text.isEmpty && !text.contains("SECRETHASH"), "\(name): \(text)")
        }
        var info = stat()
        #expect(lstat(rejected.appendingPathComponent("shadow.csv").path, &info) == 0 && (info.st_mode & S_IFMT) == S_IFLNK,
            "moved as the link it is, not followed")
        daemon.notify.forget("WATCHDOG=1")
        #expect(daemon.notify.wait(seconds: 3) { $0 == "WATCHDOG=1" } != nil, "still pinging")
        daemon.signal(SIGTERM)
        let (status, log) = daemon.finish(within: 5)
        #expect(status == 0)
        #expect(!log.contains("SECRETHASH"))
    }

    @Test("a file with a 254-byte name is imported once and archived under a shorter name, never stuck")
    func longName() throws {
        let winback = try WinbackProcess()
        try winback.writeDaemonConfig()
        let old = umask(0o022)
        defer { umask(old) }
        let daemon = try RunningDaemon(winback)
        #expect(daemon.notify.wait(seconds: 10) { $0.contains("READY=1") } != nil)
        let state = winback.folder.appendingPathComponent("state")
        let name = String(repeating: "ü", count: 125) + ".csv"
        #expect(name.utf8.count == 254)
        let aside = winback.folder.appendingPathComponent("aside.csv")
        try "date,client_id,document,amount\n2024-01-02,L1,D1,5\n".write(to: aside, atomically: true, encoding: .utf8)
        #expect(rename(aside.path, state.appendingPathComponent("inbox/" + name).path) == 0)
        let archive = state.appendingPathComponent("archive")
        #expect(eventually(10) { entries(archive).count == 1 })
        #expect(entries(archive).first.map { $0.utf8.count <= 255 - 17 && $0.hasSuffix(".csv") } == true)
        #expect(eventually(5) { entries(state.appendingPathComponent("inbox/.processing")).isEmpty })
        usleep(2_500_000)
        daemon.signal(SIGTERM)
        let (status, log) = daemon.finish(within: 5)
        #expect(status == 0)
        #expect(!log.contains("failed importing"), "\(log)")
        #expect(log.components(separatedBy: "<6>imported").count == 2, "imported once")
        // Made under umask 022, the folders the operators' group writes to are still 2770.
        func mode(_ path: String) -> mode_t {
            var info = stat()
            stat(state.appendingPathComponent(path).path, &info)
            return info.st_mode & 0o7777
        }
        #expect(mode("inbox/.processing") == 0o2770, "\(String(mode("inbox/.processing"), radix: 8))")
        let days = entries(state.appendingPathComponent("outbox"))
        #expect(!days.isEmpty)
        for day in days { #expect(mode("outbox/" + day) == 0o2770, "\(day): \(String(mode("outbox/" + day), radix: 8))") }
    }

    @Test("a long import keeps the watchdog fed; SIGTERM stops it within 5 s, rolled back, and a restart takes it up")
    func longImportAndStop() throws {
        let winback = try WinbackProcess()
        try winback.writeDaemonConfig()
        let big = winback.folder.appendingPathComponent("big.csv")
        let generated = try winback.run(
            ["generate", "--clients", "3000", "--from", "2024-01-01", "--to", "2025-12-31", "-o", big.path], withConfig: false)
        #expect(generated.status == 0, "\(generated.stderr)")
        let state = winback.folder.appendingPathComponent("state")
        do {
        let daemon = try RunningDaemon(winback, environment: ["WATCHDOG_USEC": "1000000"])
        #expect(daemon.notify.wait(seconds: 10) { $0.contains("READY=1") } != nil)
        #expect(rename(big.path, state.appendingPathComponent("inbox/big.csv").path) == 0)
        #expect(daemon.notify.wait(seconds: 10) { $0.contains("STATUS=importing big.csv") } != nil)
        // While it imports, pings keep coming at every half second or so.
        var pings = 0
        let watch = Date().addingTimeInterval(2.5)
        while Date() < watch {
            daemon.notify.forget("WATCHDOG=1")
            if daemon.notify.wait(seconds: 1.2, for: { $0 == "WATCHDOG=1" }) != nil { pings += 1 } else { break }
        }
        #expect(pings >= 3, "pings while importing: \(pings)")
        let asked = Date()
        daemon.signal(SIGTERM)
        let (status, log) = daemon.finish(within: 5)
        #expect(status == 0, "\(log)")
        #expect(Date().timeIntervalSince(asked) < 5)
        #expect(log.contains("import stopped for the shutdown"), "the import was under way when the stop came")
        #expect(entries(state.appendingPathComponent("inbox/.processing")) == ["big.csv"], "still claimed")
        let count = try winback.run(["clients", "--format", "json"])
        #expect(count.stdout == "[]\n", "nothing of the file was kept")
        }

        let again = try RunningDaemon(winback)
        #expect(again.notify.wait(seconds: 10) { $0.contains("READY=1") } != nil)
        #expect(eventually(120) { entries(state.appendingPathComponent("archive")) == ["big.csv"] })
        again.signal(SIGTERM)
        #expect(again.finish(within: 60).status == 0)
    }

    @Test("a scheduled scan that fails is retried until it succeeds; STATUS and an alert say so meanwhile")
    func failedScanRetried() throws {
        let winback = try WinbackProcess()
        try winback.writeDaemonConfig(extra: "retry_after_seconds = 1")
        _ = try winback.run(["clients"])
        let outbox = winback.folder.appendingPathComponent("state/outbox")
        try FileManager.default.removeItem(at: outbox)
        try "not a folder".write(to: outbox, atomically: true, encoding: .utf8)
        let daemon = try RunningDaemon(winback)
        #expect(daemon.notify.wait(seconds: 10) { $0.contains("STATUS=SCAN FAILED") } != nil)
        let alerts = try winback.run(["alerts", "--kind", "scan_failed", "--format", "json"])
        #expect(alerts.stdout.contains("\"kind\": \"scan_failed\""), "\(alerts.stdout)")
        try FileManager.default.removeItem(at: outbox)
        #expect(daemon.notify.wait(seconds: 15) { $0.hasPrefix("STATUS=scan ") } != nil, "retried and succeeded")
        let resolved = try winback.run(["alerts", "--kind", "scan_failed", "--format", "json"])
        #expect(resolved.stdout == "[]\n")
        daemon.signal(SIGTERM)
        let (status, log) = daemon.finish(within: 5)
        #expect(status == 0)
        #expect(log.contains("scheduled scan failed; retrying"))
        #expect(log.contains("the scheduled scan succeeded again"))
    }
}
