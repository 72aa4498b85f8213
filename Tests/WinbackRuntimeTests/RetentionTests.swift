import Foundation
import Logging
import Testing
import WinbackConfig
import WinbackCore
import WinbackStore
import WinbackTestSupport

@testable import WinbackRuntime

#if canImport(Glibc)
    import Glibc
#endif

/// `[retention]`: only entries of `archive/` and `outbox/` older than their limit go, judged by their date.
@Suite("Retention")
struct RetentionTests {
    let scratch: TemporaryFolder
    let state: StateDirectory
    let utc = TimeZone(identifier: "UTC")!

    init() throws {
        scratch = try TemporaryFolder("winback-retention")
        state = StateDirectory(root: scratch.url.appendingPathComponent("state").path)
        try state.prepare()
    }

    func retention(archiveDays: Int = 0, outboxDays: Int = 0) -> Retention {
        Retention(
            settings: RetentionSettings(archiveDays: archiveDays, outboxDays: outboxDays), state: state, timeZone: utc)
    }

    func exists(_ path: String) -> Bool {
        var info = stat()
        return lstat(path, &info) == 0
    }

    func makeFile(_ path: String, _ text: String = "x") throws {
        try FileManager.default.createDirectory(
            atPath: (path as NSString).deletingLastPathComponent, withIntermediateDirectories: true)
        try text.write(toFile: path, atomically: false, encoding: .utf8)
    }

    @Test("outbox day folders older than outbox_days go, with what is in them; the rest of outbox/ stays")
    func outbox() throws {
        let outbox = state.outbox
        let outside = scratch.url.appendingPathComponent("outside").path
        try makeFile(outside + "/keep.txt")
        try makeFile(outbox + "/2024-12-30/digest.md")  // 91 days before 2025-03-31
        try makeFile(outbox + "/2024-12-30/managers/Anna/digest.md")
        // A link inside an old day folder is removed as a link; what it points to stays.
        try FileManager.default.createSymbolicLink(
            atPath: outbox + "/2024-12-30/managers/link", withDestinationPath: outside)
        try makeFile(outbox + "/2024-12-31/digest.md")  // 90 days: kept
        try makeFile(outbox + "/2025-03-31/digest.md")
        try makeFile(outbox + "/2025-04-02/digest.md")  // a day after today (a clock set wrong): kept
        try makeFile(outbox + "/notes/2020-01-01.md")  // not a day folder
        try makeFile(outbox + "/2020-1-1/digest.md")  // not the ISO form winback writes
        try makeFile(outbox + "/2020-01-02")  // a file, not a folder
        try FileManager.default.createSymbolicLink(atPath: outbox + "/2020-01-03", withDestinationPath: outside)

        let outcome = retention(outboxDays: 90).prune(today: Day(iso: "2025-03-31")!)

        #expect(outcome.removed == [Retention.Entry(path: outbox + "/2024-12-30", ageDays: 91)])
        #expect(outcome.failures.isEmpty)
        #expect(!exists(outbox + "/2024-12-30"))
        for kept in [
            "2024-12-31", "2025-03-31", "2025-04-02", "notes/2020-01-01.md", "2020-1-1", "2020-01-02", "2020-01-03",
        ] {
            #expect(exists(outbox + "/" + kept), "\(kept) was removed")
        }
        #expect(exists(outside + "/keep.txt"), "a link's target was removed")
    }

    @Test("archived files go by the day they were archived, not by the export's older modification time")
    func archive() throws {
        let archived = state.archive + "/sales-2020-01-01.csv"
        try makeFile(archived)
        // An export copied with its old time kept (cp -p): archived today all the same.
        var times = [timespec(tv_sec: 946_684_800, tv_nsec: 0), timespec(tv_sec: 946_684_800, tv_nsec: 0)]
        #expect(utimensat(AT_FDCWD, archived, &times, 0) == 0)
        var info = stat()
        #expect(lstat(archived, &info) == 0)
        let archivedOn = Day.local(at: Date(timeIntervalSince1970: TimeInterval(info.st_ctim.tv_sec)), in: utc).day
        let outside = scratch.url.appendingPathComponent("outside.csv").path
        try makeFile(outside)
        try FileManager.default.createSymbolicLink(atPath: state.archive + "/link.csv", withDestinationPath: outside)
        try makeFile(state.archive + "/folder/a.csv")
        try makeFile(state.rejected + "/bad.csv")

        let keptOnLastDay = retention(archiveDays: 365).prune(today: archivedOn.adding(days: 365))
        #expect(keptOnLastDay.removed.isEmpty)
        #expect(exists(archived))

        let outcome = retention(archiveDays: 365).prune(today: archivedOn.adding(days: 366))
        #expect(outcome.removed == [Retention.Entry(path: archived, ageDays: 366)])
        #expect(!exists(archived))
        for kept in [
            state.archive + "/link.csv", outside, state.archive + "/folder/a.csv", state.rejected + "/bad.csv",
            state.databasePath,
        ] {
            #expect(exists(kept), "\(kept) was removed")
        }
    }

    @Test("0, the default, keeps everything however old")
    func keepForever() throws {
        try makeFile(state.archive + "/a.csv")
        try makeFile(state.outbox + "/2001-01-01/digest.md")
        let outcome = retention().prune(today: Day(iso: "2099-12-31")!)
        #expect(outcome.removed.isEmpty)
        #expect(exists(state.archive + "/a.csv"))
        #expect(exists(state.outbox + "/2001-01-01/digest.md"))
        // Each limit only for its own folder.
        #expect(
            retention(archiveDays: 1).prune(today: Day(iso: "2099-12-31")!).removed.map(\.path) == [
                state.archive + "/a.csv"
            ])
        #expect(exists(state.outbox + "/2001-01-01/digest.md"))
    }

    @Test("the daemon prunes after the day's scan time and logs each removal")
    func daemonPrunes() throws {
        var config = WinbackConfig(stateDirectory: state.root, timeZone: "UTC")
        config.retention = RetentionSettings(outboxDays: 30)
        config.daemon.scanAt = (hour: 6, minute: 0)
        try makeFile(state.outbox + "/2025-01-01/digest.md")
        try makeFile(state.outbox + "/2025-03-01/digest.md")
        let log = LogCapture()
        // 2025-03-31 10:00 UTC: past the day's scan time.
        let daemon = try Daemon(
            config: config, configPath: nil, logger: Logger(label: "test") { _ in log },
            now: { Date(timeIntervalSince1970: 1_743_415_200) }, handlesSignals: false)
        let finished = DispatchSemaphore(value: 0)
        Thread.detachNewThread {
            daemon.run()
            finished.signal()
        }
        let deadline = Date().addingTimeInterval(20)
        while exists(state.outbox + "/2025-01-01"), Date() < deadline { usleep(50_000) }
        daemon.stop()
        #expect(finished.wait(timeout: .now() + 10) == .success)
        #expect(!exists(state.outbox + "/2025-01-01"))
        #expect(exists(state.outbox + "/2025-03-01"))
        let lines = log.lines
        #expect(lines.contains("removed by retention age_days=89 path=\(state.outbox)/2025-01-01"), "\(lines)")
        #expect(lines.contains { $0.hasPrefix("retention pruned") && $0.contains("removed=1") }, "\(lines)")
    }
}

/// Keeps what a logger logged, as `message key=value...` with the keys sorted.
final class LogCapture: LogHandler, @unchecked Sendable {
    private let lock = NSLock()
    private var kept: [String] = []
    var metadata: Logger.Metadata = [:]
    var logLevel: Logger.Level = .trace

    var lines: [String] { lock.withLock { kept } }

    subscript(metadataKey key: String) -> Logger.Metadata.Value? {
        get { metadata[key] }
        set { metadata[key] = newValue }
    }

    func log(event: LogEvent) {
        let fields = (event.metadata ?? [:]).sorted { $0.key < $1.key }.map { "\($0.key)=\($0.value)" }
        let line = ([event.message.description] + fields).joined(separator: " ")
        lock.withLock { kept.append(line) }
    }
}
