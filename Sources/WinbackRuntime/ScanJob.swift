import Foundation
import WinbackConfig
import WinbackCore
import WinbackOutbox
import WinbackScan
import WinbackStore

/// One scan and that day's outbox: what `winback scan`, the daemon and the demo all run.
///
/// A day after today is refused: what has not happened yet cannot be judged, and its status history and trend
/// rows could never be undone. A day before the latest scanned one is a replay (see ``Scanner``): its outbox is
/// written from what it found, and the live book stays as the latest day left it.
public struct ScanJob: Sendable {
    public let database: AppDatabase
    public let settings: ChurnSettings
    public let outbox: Outbox
    private let now: @Sendable () -> Date
    private let today: @Sendable () -> Day
    private let control: WorkControl?
    /// Run after a live scan's outbox is written; a replay of an earlier day notifies no one.
    public let notify: NotifyCommand?

    /// `today` is today in the configured time zone (the demo passes the last day of its generated book);
    /// `control` lets the daemon see the scan move and stop it.
    public init(
        database: AppDatabase, settings: ChurnSettings, outbox: Outbox, now: @escaping @Sendable () -> Date = Date.init,
        today: @escaping @Sendable () -> Day, control: WorkControl? = nil, notify: NotifySettings = NotifySettings()
    ) {
        self.notify = notify.command.isEmpty ? nil : NotifyCommand(settings: notify)
        self.control = control
        self.database = database
        self.settings = settings
        self.outbox = outbox
        self.now = now
        self.today = today
    }

    /// What a job did.
    public struct Result: Sendable {
        public var summary: ScanSummary
        /// The day's outbox folder.
        public var folder: String
        public var seconds: Double
        /// How the `[notify] command` ended, when one ran; a failure is raised as a `notify_failed` alert too.
        public var notification: NotifyCommand.Outcome?
    }

    /// Why a job did not complete.
    public enum Failure: Error, CustomStringConvertible {
        /// The day is after today.
        case future(Day, today: Day)
        /// The scan was stored, but the day's files could not be written.
        case outbox(ScanSummary, reason: String)

        public var description: String {
            switch self {
            case .future(let day, let today):
                return "\(day.iso) is after today (\(today.iso)): a day that has not ended cannot be judged"
            case .outbox(_, let reason):
                return "scan stored, but the outbox was not written: \(reason)"
            }
        }
    }

    /// Scans `asOf` and writes its outbox.
    public func run(asOf: Day) throws -> Result {
        let today = today()
        guard asOf <= today else { throw Failure.future(asOf, today: today) }
        let started = now()
        var summary = try Scanner(database: database, settings: settings, now: now, control: control).scan(asOf: asOf)
        let folder: String
        let clock = ContinuousClock()
        let viewing = clock.now
        let view = try summary.replayView ?? database.liveView(asOf: asOf, feed: summary.feed)
        let read = clock.now
        summary.stages.append(StageTime(name: "day view", duration: viewing.duration(to: read)))
        do {
            folder = try outbox.write(view)
        } catch let failure as Outbox.Failure {
            throw Failure.outbox(summary, reason: failure.description)
        }
        summary.stages.append(StageTime(name: "outbox", duration: read.duration(to: clock.now)))
        var result = Result(summary: summary, folder: folder, seconds: now().timeIntervalSince(started))
        if let notify, !summary.replay {
            let outcome = notify.run(
                NotifyCommand.Facts(
                    asOf: asOf, folder: folder, newAlerts: view.alerts.filter { $0.firstSeen == asOf }.count,
                    criticalOpen: view.alerts.filter { $0.severity == .critical }.count,
                    atRisk: summary.statuses[.atRisk, default: 0], lost: summary.statuses[.lost, default: 0]))
            if let failure = outcome.failure {
                try database.raiseNotifyFailed(on: asOf, reason: failure)
            } else {
                try database.resolveNotifyFailures(on: asOf)
            }
            result.notification = outcome
            summary.stages.append(StageTime(name: "notify", seconds: outcome.seconds))
            result.summary = summary
        }
        return result
    }
}
