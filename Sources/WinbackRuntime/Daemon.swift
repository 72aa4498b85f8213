import Dispatch
import Foundation
import Logging
import WinbackConfig
import WinbackCore
import WinbackImport
import WinbackOutbox
import WinbackScan
import WinbackStore

#if canImport(Glibc)
    import Glibc
#elseif canImport(Musl)
    import Musl
#endif

/// `winback daemon`: the daily scan at the configured local time, the inbox, and systemd's protocol.
///
/// Everything happens on one serial queue, the work loop: the schedule check, the inbox poll, the
/// debounced rescan, signal handling and the watchdog ping. The ping is sent from that loop, so a loop
/// stuck in a job stops the pings and systemd restarts the service. A stop or a reload waits for the job
/// under way (an import or a scan finishes, each in its own transactions) and never interrupts one.
public final class Daemon: @unchecked Sendable {
    // All state below is touched only on `queue`.
    private let queue = DispatchQueue(label: "winback.daemon")
    private var config: WinbackConfig
    private let configPath: String?
    private let state: StateDirectory
    private let database: AppDatabase
    private let notifier: SystemdNotifier
    private let logger: Logger
    private let now: @Sendable () -> Date
    private let inbox: Inbox
    private let lock: InstanceLock
    private var timers: [DispatchSourceTimer] = []
    private var rescanTimer: DispatchSourceTimer?
    private var signals: [DispatchSourceSignal] = []
    private var lastSummary = "no scan yet"

    /// Prepares the state directory, takes the instance lock and opens the database; throws what stops a start.
    public init(
        config: WinbackConfig, configPath: String?, logger: Logger, notifier: SystemdNotifier = SystemdNotifier(),
        now: @escaping @Sendable () -> Date = Date.init
    ) throws {
        self.config = config
        self.configPath = configPath
        self.logger = logger
        self.notifier = notifier
        self.now = now
        state = StateDirectory(root: config.stateDirectory)
        try state.prepare()
        lock = try InstanceLock(stateDirectory: state.root)
        database = try AppDatabase.open(path: state.databasePath)
        inbox = Inbox(state: state)
    }

    /// Starts the work loop and never returns; the process exits 0 on SIGTERM or SIGINT.
    public func run() -> Never {
        queue.async { self.start() }
        dispatchMain()
    }

    private func start() {
        // READY=1 only once every signal source is registered: libdispatch registers them asynchronously,
        // and a SIGTERM or SIGHUP arriving before that would be ignored.
        let registered = DispatchGroup()
        for signal in [SIGTERM, SIGINT, SIGHUP] {
            Glibc.signal(signal, SIG_IGN)
            let source = DispatchSource.makeSignalSource(signal: signal, queue: queue)
            source.setEventHandler { [unowned self] in
                if signal == SIGHUP { reload() } else { stop(signal: signal) }
            }
            registered.enter()
            source.setRegistrationHandler { registered.leave() }
            source.resume()
            signals.append(source)
        }
        registered.notify(queue: queue) { [unowned self] in started() }
    }

    private func started() {
        logger.info(
            "winback daemon started",
            metadata: ["state_dir": "\(state.root)", "pid": "\(getpid())", "config": "\(configPath ?? "(defaults)")"])
        notifier.ready(status: "starting: looking for missed scans and waiting files")
        startTimers()
        checkSchedule()
        pollInbox()
        notifier.status(idleStatus())
    }

    // MARK: - Timers

    private func startTimers() {
        timers.forEach { $0.cancel() }
        timers = []
        let settings = config.daemon
        // The schedule is checked against the wall clock often, so that a clock jump is noticed within seconds.
        timers.append(repeating(every: 15) { [unowned self] in checkSchedule() })
        timers.append(repeating(every: TimeInterval(settings.inboxPollSeconds)) { [unowned self] in pollInbox() })
        if let interval = notifier.watchdogInterval {
            timers.append(repeating(every: interval) { [unowned self] in notifier.watchdog() })
            notifier.watchdog()
        }
    }

    private func repeating(every interval: TimeInterval, _ body: @escaping () -> Void) -> DispatchSourceTimer {
        let timer = DispatchSource.makeTimerSource(queue: queue)
        timer.schedule(deadline: .now() + interval, repeating: interval, leeway: .milliseconds(Int(interval * 50)))
        timer.setEventHandler(handler: body)
        timer.resume()
        return timer
    }

    // MARK: - Scans

    private var schedule: ScanSchedule {
        ScanSchedule(
            hour: config.daemon.scanAt.hour, minute: config.daemon.scanAt.minute, timeZone: config.resolvedTimeZone,
            catchUpDays: config.daemon.catchUpDays)
    }

    /// Makes every scheduled scan that is due (today's once its time has passed; missed days after a stop).
    private func checkSchedule() {
        do {
            let due = schedule.dueDays(at: now(), lastScheduled: try database.lastScheduledDay())
            for day in due {
                scan(day, reason: "scheduled")
                try database.recordScheduledScan(day)
            }
        } catch {
            report(error, doing: "checking the schedule")
        }
    }

    private func scan(_ day: Day, reason: String) {
        notifier.status("scanning as of \(day.iso) (\(reason))")
        let started = Date()
        do {
            let job = ScanJob(
                database: database, settings: config.churn, outbox: Outbox(directory: state.outbox), now: now,
                today: { [schedule, now] in schedule.today(at: now()).day })
            let result = try job.run(asOf: day)
            let summary = result.summary
            let folder = result.folder
            let seconds = Date().timeIntervalSince(started)
            lastSummary =
                "scan \(day.iso): \(summary.statuses[.atRisk, default: 0]) at risk, "
                + "\(summary.statuses[.lost, default: 0]) lost of \(summary.clients) clients"
            if summary.feed.isStale {
                lastSummary = "FEED STALE: \(summary.feed.summary); " + lastSummary
                logger.warning("feed stale", metadata: ["as_of": "\(day.iso)", "data": "\(summary.feed.summary)"])
            }
            logger.info(
                "scanned",
                metadata: [
                    "as_of": "\(day.iso)", "reason": "\(reason)", "clients": "\(summary.clients)",
                    "at_risk": "\(summary.statuses[.atRisk, default: 0])", "lost": "\(summary.statuses[.lost, default: 0])",
                    "alerts": "\(summary.alerts)", "seconds": "\(String(format: "%.2f", seconds))", "outbox": "\(folder)",
                ])
        } catch {
            report(error, doing: "scanning as of \(day.iso)")
        }
        notifier.status(idleStatus())
    }

    /// After files brought new sales: rescan today once no more came for `rescan_delay_seconds`.
    private func scheduleRescan() {
        rescanTimer?.cancel()
        let timer = DispatchSource.makeTimerSource(queue: queue)
        timer.schedule(deadline: .now() + TimeInterval(config.daemon.rescanDelaySeconds))
        timer.setEventHandler { [unowned self] in
            rescanTimer = nil
            scan(schedule.today(at: now()).day, reason: "new sales")
        }
        timer.resume()
        rescanTimer = timer
    }

    // MARK: - Inbox

    private func pollInbox() {
        // Files claimed before but not finished: a crash, or a database that could not take them (a full or
        // read-only disk). They are tried again at every look, so the daemon recovers once space returns.
        var retried = false
        for path in inbox.leftovers() {
            logger.notice("taking up a file claimed but not finished", metadata: ["file": "\(path)"])
            retried = take(path) || retried
        }
        if retried { scheduleRescan() }
        do {
            let (ready, strangers) = try inbox.look(now: now(), settle: TimeInterval(config.daemon.settleSeconds))
            for (name, what) in strangers {
                let moved = try inbox.rejectStranger(name, what: what)
                logger.warning("refused", metadata: ["file": "\(name)", "reason": "\(what)", "moved_to": "\(moved ?? "")"])
            }
            var newSales = false
            for name in ready {
                guard let claimed = try inbox.claim(name) else { continue }
                newSales = take(claimed) || newSales
            }
            if newSales { scheduleRescan() }
        } catch {
            report(error, doing: "looking into the inbox")
        }
    }

    /// Imports a claimed file and moves it on; true when it stored sales lines.
    private func take(_ path: String) -> Bool {
        let name = (path as NSString).lastPathComponent
        notifier.status("importing \(name)")
        defer { notifier.status(idleStatus()) }
        let importer = Importer(
            database: database, settings: config.importing, now: now, today: { [schedule, now] in schedule.today(at: now()).day })
        do {
            let report = try importer.importFile(at: path)
            let archived = try inbox.archive(path)
            logger.info(
                "imported",
                metadata: [
                    "file": "\(name)", "kind": "\(report.kind?.rawValue ?? "?")", "rows": "\(report.rows)",
                    "stored": "\(report.inserted)", "already_stored": "\(report.duplicates)",
                    "archived": "\(archived)",
                ])
            return report.inserted > 0
        } catch let failure as ImportFailure {
            do {
                let rejected = try inbox.reject(path, error: failure.description)
                logger.warning("refused", metadata: ["file": "\(name)", "reason": "\(failure.summary)", "moved_to": "\(rejected)"])
            } catch {
                report(error, doing: "moving \(name) to rejected/")
            }
        } catch {
            // The file is fine; the database or the disk is not (full, read-only). It stays claimed in
            // inbox/.processing and is tried again at the next look; STATUS says what is wrong meanwhile.
            report(error, doing: "importing \(name)")
        }
        return false
    }

    // MARK: - Signals

    private func reload() {
        notifier.reloading()
        guard let configPath else {
            logger.notice("reload asked for, but the daemon runs on the defaults, without a config file")
            notifier.ready(status: idleStatus())
            return
        }
        if let problem = ConfigProbe.problem(with: configPath) {
            logger.error("config not reloaded; the running one stays", metadata: ["error": "\(problem)"])
            notifier.ready(status: idleStatus())
            return
        }
        do {
            var fresh = try ConfigLoader.load(path: configPath)
            if fresh.stateDirectory != config.stateDirectory {
                logger.warning(
                    "state_dir changed in the config; the daemon keeps its state directory until it is restarted",
                    metadata: ["running": "\(config.stateDirectory)", "config": "\(fresh.stateDirectory)"])
                fresh.stateDirectory = config.stateDirectory
            }
            let pollChanged = fresh.daemon != config.daemon
            config = fresh
            if pollChanged { startTimers() }
            logger.info("config reloaded", metadata: ["config": "\(configPath)"])
            checkSchedule()
        } catch {
            logger.error("config not reloaded; the running one stays", metadata: ["error": "\(error)"])
        }
        notifier.ready(status: idleStatus())
    }

    private func stop(signal: Int32) {
        notifier.stopping()
        logger.info("stopping", metadata: ["signal": "\(signal == SIGTERM ? "SIGTERM" : "SIGINT")"])
        timers.forEach { $0.cancel() }
        rescanTimer?.cancel()
        exit(0)
    }

    // MARK: - Reporting

    private func idleStatus() -> String {
        let next = config.daemon.scanAt
        return "\(lastSummary); daily scan at " + String(format: "%02d:%02d", next.hour, next.minute)
    }

    private func report(_ error: any Error, doing what: String) {
        logger.error("failed \(what)", metadata: ["error": "\(error)"])
        notifier.status("error \(what): \(error)")
    }
}
