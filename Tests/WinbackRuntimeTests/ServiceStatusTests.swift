import Foundation
import Testing
import WinbackConfig
import WinbackCore
import WinbackImport
import WinbackOutbox
import WinbackRuntime
import WinbackStore
import WinbackTestSupport

/// `winback status`'s facts, on a fixed clock: what a monitoring check would read.
@Suite("Service status")
struct ServiceStatusTests {
    /// 2025-03-31 10:00 UTC, `days` later.
    static func at(_ days: Int) -> Date { Date(timeIntervalSince1970: 1_743_415_200 + Double(days) * 86_400) }

    @Test("healthy after the day's import and scan; stale when the scan is days behind or the feed stops")
    func staleness() throws {
        let scratch = try TemporaryFolder("winback-status")
        var config = WinbackConfig(stateDirectory: scratch.url.appendingPathComponent("state").path, timeZone: "UTC")
        config.daemon.scanAt = (hour: 6, minute: 0)
        let state = StateDirectory(root: config.stateDirectory)
        try state.prepare()
        let database = try AppDatabase.open(path: state.databasePath)

        let empty = try ServiceStatus.health(config: config, database: database, now: Self.at(0))
        #expect(empty.problems.count == 2)
        #expect(empty.problems.contains { $0.hasPrefix("no sales stored yet") })
        #expect(empty.problems.contains { $0.hasPrefix("no scan yet: the scan of 2025-03-31 is due") })

        // A client buying every weekday up to the day: a feed that never pauses longer than a weekend.
        var csv = "date,client_id,document,line,amount\n"
        var day = Day(iso: "2025-01-01")!
        while day <= Day(iso: "2025-03-31")! {
            if day.weekday <= 5 { csv += "\(day.iso),C1,D\(day.number),1,100\n" }
            day = day.adding(days: 1)
        }
        let file = scratch.url.appendingPathComponent("sales.csv").path
        try csv.write(toFile: file, atomically: true, encoding: .utf8)
        _ = try Importer(database: database, settings: config.importing).importFile(at: file)
        _ = try ScanJob(
            database: database, settings: config.churn, outbox: Outbox(directory: state.outbox), now: { Self.at(0) },
            today: { Day(iso: "2025-03-31")! }
        ).run(asOf: Day(iso: "2025-03-31")!)
        try "x".write(toFile: state.inbox + "/waiting.csv", atomically: true, encoding: .utf8)

        let fresh = try ServiceStatus.health(config: config, database: database, now: Self.at(0))
        #expect(fresh.problems == [])
        #expect(fresh.lastImport?.rows == 64)
        #expect(fresh.lastImport?.fileName == "sales.csv")
        #expect(fresh.lastScan?.asOf == Day(iso: "2025-03-31"))
        #expect(fresh.feed.lastSaleDay == Day(iso: "2025-03-31"))
        #expect(fresh.inboxWaiting == 1)
        #expect(fresh.daemonPID == nil)

        // Three days on at 10:00, the scans of 04-01 to 04-03 are due; the weekend-only feed is not stale yet.
        let behind = try ServiceStatus.health(config: config, database: database, now: Self.at(3))
        #expect(behind.scanDue == Day(iso: "2025-04-03"))
        #expect(
            behind.problems == ["the latest scan is as of 2025-03-31 (3 days before 2025-04-03, whose scan is due)"])

        // Two weeks without sales: the feed has stopped too.
        let stopped = try ServiceStatus.health(config: config, database: database, now: Self.at(14))
        #expect(stopped.problems.count == 2)
        #expect(stopped.problems.first?.hasPrefix("the feed has stopped: no sales after 2025-03-31") == true)
        #expect(stopped.feed.isStale)
    }

    @Test("a daemon holding the state directory's lock is reported with its pid, and the lock is left alone")
    func daemonRunning() throws {
        let scratch = try TemporaryFolder("winback-status-lock")
        #expect(InstanceLock.holder(stateDirectory: scratch.url.path) == nil)
        #expect(!FileManager.default.fileExists(atPath: scratch.url.path + "/winback.lock"))
        do {
            let lock = try InstanceLock(stateDirectory: scratch.url.path)
            #expect(InstanceLock.holder(stateDirectory: scratch.url.path) == Int(getpid()))
            withExtendedLifetime(lock) {}
        }
        #expect(InstanceLock.holder(stateDirectory: scratch.url.path) == nil)
        // Not taken by the look: a daemon can still start.
        _ = try InstanceLock(stateDirectory: scratch.url.path)
    }
}
