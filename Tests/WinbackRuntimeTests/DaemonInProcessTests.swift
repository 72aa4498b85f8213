import Foundation
import Logging
import Testing
import WinbackConfig
import WinbackCore
import WinbackRuntime
import WinbackStore
import WinbackTestSupport

/// The daemon run in the test's own process, on a fixed clock, stopped by ``Daemon/stop()``: its work without
/// a subprocess (signals, systemd's socket and crashes are the end-to-end suite's).
@Suite("The daemon, in process")
struct DaemonInProcessTests {
    @Test("it makes the day's scheduled scan, imports and archives a file dropped in the inbox, and stop() ends run()")
    func scheduleInboxAndStop() throws {
        let scratch = try TemporaryFolder("winback-daemon")
        var config = WinbackConfig(stateDirectory: scratch.url.appendingPathComponent("state").path, timeZone: "UTC")
        config.daemon.inboxPollSeconds = 1
        config.daemon.settleSeconds = 0
        config.daemon.rescanDelaySeconds = 0
        config.daemon.scanAt = (hour: 6, minute: 0)
        // 2025-03-31 10:00 UTC: that day's 06:00 scan is due at start.
        let clock: @Sendable () -> Date = { Date(timeIntervalSince1970: 1_743_415_200) }
        let daemon = try Daemon(
            config: config, configPath: nil, logger: Logger(label: "test"), now: clock, handlesSignals: false)
        let finished = DispatchSemaphore(value: 0)
        Thread.detachNewThread {
            daemon.run()
            finished.signal()
        }
        let state = StateDirectory(root: config.stateDirectory)
        var csv = "date,client_id,document,line,amount\n"
        for week in 0..<20 { csv += "\(Day(iso: "2024-11-04")!.adding(days: 7 * week).iso),C1,D\(week),1,100\n" }
        try csv.write(toFile: state.inbox + "/.sales.csv", atomically: true, encoding: .utf8)
        rename(state.inbox + "/.sales.csv", state.inbox + "/sales.csv")
        let deadline = Date().addingTimeInterval(20)
        var archived: [String] = []
        while archived.isEmpty, Date() < deadline {
            usleep(50_000)
            archived =
                (try? FileManager.default.contentsOfDirectory(atPath: state.archive))?.filter {
                    $0.contains("sales.csv")
                } ?? []
        }
        #expect(archived.count == 1)
        let database = try AppDatabase.open(path: state.databasePath)
        #expect(try database.salesLineCount() == 20)
        #expect(FileManager.default.fileExists(atPath: state.outbox + "/2025-03-31/digest.md"))
        let started = Date()
        daemon.stop()
        #expect(finished.wait(timeout: .now() + 10) == .success)
        #expect(Date().timeIntervalSince(started) < 5)
        // The daemon's last act cut the WAL to nothing (a stopped first import may leave gigabytes there).
        let wal = try FileManager.default.attributesOfItem(atPath: state.databasePath + "-wal")
        #expect((wal[.size] as? Int) == 0)
    }
}
