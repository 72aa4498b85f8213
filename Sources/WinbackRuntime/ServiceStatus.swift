import Foundation
import WinbackConfig
import WinbackCore
import WinbackStore

/// Gathers `winback status`: the store's latest import, scan, data and open alerts; the state directory's
/// inbox, claimed and refused files; whether a daemon holds the lock; and which scan the schedule has made due.
public enum ServiceStatus {
    public static func health(config: WinbackConfig, database: AppDatabase, now: Date = Date()) throws -> ServiceHealth
    {
        let state = StateDirectory(root: config.stateDirectory)
        let schedule = ScanSchedule(
            hour: config.daemon.scanAt.hour, minute: config.daemon.scanAt.minute, timeZone: config.resolvedTimeZone,
            catchUpDays: config.daemon.catchUpDays)
        let (today, passed) = schedule.today(at: now)
        let lastImport = try database.lastImport().map {
            ServiceHealth.LastImport(
                fileName: $0.fileName, finishedAt: $0.finishedAt, rows: $0.rows, stored: $0.inserted,
                corrected: $0.corrected)
        }
        let lastScan = try database.latestScan().map { scan in
            let stamps = ISO8601DateFormatter()
            let seconds = stamps.date(from: scan.startedAt).flatMap { start in
                stamps.date(from: scan.finishedAt).map { $0.timeIntervalSince(start) }
            }
            return ServiceHealth.LastScan(asOf: Day(number: scan.asOf), finishedAt: scan.finishedAt, seconds: seconds)
        }
        let inbox = Inbox(state: state)
        return ServiceHealth(
            stateDirectory: state.root, daemonPID: InstanceLock.holder(stateDirectory: state.root),
            lastImport: lastImport, lastScan: lastScan, scanDue: passed ? today : today.adding(days: -1),
            feed: try database.feedCheck(asOf: today, staleAfterDays: config.churn.feed.staleAfterDays),
            openAlerts: try database.openAlertCounts(),
            inboxWaiting: files(in: state.inbox).count, inboxClaimed: inbox.leftovers().files.count,
            rejected: files(in: state.rejected).filter { !$0.hasSuffix(".error.txt") }.count)
    }

    /// The names in a folder that are not dot-files; none when it cannot be read.
    private static func files(in folder: String) -> [String] {
        ((try? Inbox.entries(of: folder)) ?? []).filter { !$0.hasPrefix(".") }
    }
}
