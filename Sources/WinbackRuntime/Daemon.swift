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
/// The work happens on one serial queue, the work loop: the schedule check, the inbox poll, the debounced
/// rescan and reloads. Signals and the watchdog are handled on a second queue, so neither waits for a long
/// job: the watchdog pings systemd while the work moves (each job ticks a ``WorkControl`` as it goes, and the
/// loop itself is ticked through at every ping), and stops pinging when it has not moved for a whole watchdog
/// period, so a stuck loop is restarted and a long import is not. SIGTERM or SIGINT asks the job under way to
/// stop: it rolls back at its next step (a claimed file stays claimed and is taken up at the next start), and
/// ``run()`` returns. A scheduled scan that fails is retried with a growing pause, and STATUS says so until one
/// succeeds.
public final class Daemon: @unchecked Sendable {
    // All state below is touched only on `queue`, except where said.
    private let queue = DispatchQueue(label: "winback.daemon")
    /// Signals and the watchdog: never blocked by work.
    private let control = DispatchQueue(label: "winback.daemon.control")
    /// Ticked by jobs, read by the watchdog, told to stop by signals: thread-safe.
    private let work = WorkControl()
    private let stopped = DispatchSemaphore(value: 0)
    /// The watchdog's last reading (on `control`).
    private var watchdogReading = (progress: -1, at: Date.distantPast)
    private var watchdogTimer: DispatchSourceTimer?
    /// A scheduled scan that failed: its day, why, how many tries, and when the next may run.
    private var failedScan: (day: Day, reason: String, attempts: Int, retryAt: Date)?
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
    /// The local day of the last `[retention]` pruning: once a day.
    private var lastPruned: Day?
    /// False when the host (a test) runs the daemon in its own process and stops it with ``stop()``.
    private let handlesSignals: Bool

    /// Prepares the state directory, takes the instance lock and opens the database; throws what stops a start.
    public init(
        config: WinbackConfig, configPath: String?, logger: Logger, notifier: SystemdNotifier = SystemdNotifier(),
        now: @escaping @Sendable () -> Date = Date.init, handlesSignals: Bool = true
    ) throws {
        self.handlesSignals = handlesSignals
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

    /// Runs the service until SIGTERM or SIGINT, then returns once the job under way has stopped.
    public func run() {
        queue.async { self.start() }
        stopped.wait()
        // Closing checkpoints what was committed and removes the WAL, with the frames of a job the stop rolled
        // back (a stopped first import leaves over a gigabyte there); skipped while another process has it open.
        queue.sync { database.close() }
    }

    /// Stops the daemon as SIGTERM does: the job under way rolls back at its next step, and ``run()`` returns.
    public func stop() {
        control.async { self.stop(signal: nil) }
    }

    private func start() {
        guard handlesSignals else { return started() }
        // READY=1 only once every signal source is registered: libdispatch registers them asynchronously,
        // and a SIGTERM or SIGHUP arriving before that would be ignored.
        let registered = DispatchGroup()
        for signal in [SIGTERM, SIGINT, SIGHUP] {
            Glibc.signal(signal, SIG_IGN)
            let source = DispatchSource.makeSignalSource(signal: signal, queue: control)
            source.setEventHandler { [unowned self] in
                if signal == SIGHUP { queue.async { self.reload() } } else { stop(signal: signal) }
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
        if watchdogTimer == nil, let interval = notifier.watchdogInterval {
            let timer = DispatchSource.makeTimerSource(queue: control)
            timer.schedule(deadline: .now(), repeating: interval, leeway: .milliseconds(Int(interval * 50)))
            timer.setEventHandler { [unowned self] in watchdogTick(interval: interval) }
            timer.resume()
            watchdogTimer = timer
        }
    }

    /// On `control`: pings while the work moved within the last two intervals (a whole watchdog period), and
    /// sends a tick through the work loop, so an idle loop moves too and a stuck one does not.
    private func watchdogTick(interval: TimeInterval) {
        let now = Date()
        let progress = work.progress
        if progress != watchdogReading.progress { watchdogReading = (progress, now) }
        if now.timeIntervalSince(watchdogReading.at) < 2 * interval + 0.5 {
            notifier.watchdog()
        } else {
            logger.critical(
                "no progress for \(Int(now.timeIntervalSince(watchdogReading.at))) s: watchdog pings stopped")
        }
        queue.async { [work] in work.tick() }
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

    /// Makes every scheduled scan that is due (today's once its time has passed; missed days after a stop). A day
    /// counts as done only once its scan succeeded; a failed one is tried again after a pause that doubles from
    /// `retry_after_seconds` (30) to 30 minutes, and the days after it wait their turn. Then, once a day, prunes
    /// `archive/` and `outbox/` by `[retention]`, whether the scans succeeded or not (pruning may be what frees
    /// a full disk).
    private func checkSchedule() {
        guard !work.isStopRequested, !stepAsideForNewerSchema() else { return }
        if let failed = failedScan, now() < failed.retryAt { return }
        do {
            let due = schedule.dueDays(at: now(), lastScheduled: try database.lastScheduledDay())
            for day in due {
                guard scan(day, reason: "scheduled") else { break }
                try database.recordScheduledScan(day)
            }
        } catch {
            report(error, doing: "checking the schedule")
        }
        pruneOncePerDay()
    }

    /// Removes what `[retention]` no longer keeps, once a local day, after that day's scan time; logs each removal.
    private func pruneOncePerDay() {
        let (today, scanTimePassed) = schedule.today(at: now())
        guard !work.isStopRequested, scanTimePassed, lastPruned != today, config.retention.removesAnything else {
            return
        }
        lastPruned = today
        let retention = Retention(settings: config.retention, state: state, timeZone: config.resolvedTimeZone)
        let outcome = retention.prune(today: today)
        for entry in outcome.removed {
            logger.info("removed by retention", metadata: ["path": "\(entry.path)", "age_days": "\(entry.ageDays)"])
        }
        for (entry, reason) in outcome.failures {
            logger.error(
                "retention could not remove", metadata: ["path": "\(entry?.path ?? "")", "error": "\(reason)"])
        }
        logger.notice(
            "retention pruned",
            metadata: [
                "removed": "\(outcome.removed.count)", "failed": "\(outcome.failures.count)",
                "archive_days": "\(config.retention.archiveDays)", "outbox_days": "\(config.retention.outboxDays)",
            ])
    }

    /// Scans a day and writes its outbox; false when it failed (a scheduled scan is then retried).
    @discardableResult
    private func scan(_ day: Day, reason: String) -> Bool {
        notifier.status("scanning as of \(day.iso) (\(reason))")
        let started = Date()
        do {
            let job = ScanJob(
                database: database, settings: config.churn,
                outbox: Outbox(directory: state.outbox, locale: config.locale), now: now,
                today: { [schedule, now] in schedule.today(at: now()).day }, control: work, notify: config.notify)
            let result = try job.run(asOf: day)
            if let notification = result.notification {
                if let failure = notification.failure {
                    logger.error(
                        "notify command failed", metadata: ["as_of": "\(day.iso)", "error": "\(failure)"])
                } else {
                    logger.info(
                        "notified",
                        metadata: [
                            "as_of": "\(day.iso)", "seconds": "\(String(format: "%.2f", notification.seconds))",
                        ])
                }
            }
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
                    "at_risk": "\(summary.statuses[.atRisk, default: 0])",
                    "lost": "\(summary.statuses[.lost, default: 0])",
                    "alerts": "\(summary.alerts)", "seconds": "\(String(format: "%.2f", seconds))",
                    "outbox": "\(folder)",
                ])
            if reason == "scheduled", failedScan != nil {
                failedScan = nil
                logger.notice("the scheduled scan succeeded again", metadata: ["as_of": "\(day.iso)"])
                try? database.resolveScanFailures(on: day)
            }
            notifier.status(idleStatus())
            return true
        } catch is WorkControl.Stopped {
            logger.notice("scan stopped for the shutdown; nothing of it was kept", metadata: ["as_of": "\(day.iso)"])
            return false
        } catch let superseded as AppDatabase.Superseded {
            stepAside(superseded)
            return false
        } catch {
            report(error, doing: "scanning as of \(day.iso)")
            if reason == "scheduled" { scheduleRetry(of: day, error: error) }
            notifier.status(idleStatus())
            return false
        }
    }

    /// Notes a failed scheduled scan, raises its alert, and sets when it is tried again.
    private func scheduleRetry(of day: Day, error: any Error) {
        let attempts = (failedScan?.day == day ? failedScan!.attempts : 0) + 1
        let pause = min(Double(config.daemon.retryAfterSeconds) * pow(2, Double(attempts - 1)), 1800)
        let reason = oneLine(error)
        failedScan = (day, reason, attempts, now().addingTimeInterval(pause))
        logger.error(
            "scheduled scan failed; retrying",
            metadata: [
                "as_of": "\(day.iso)", "attempt": "\(attempts)", "retry_in_seconds": "\(Int(pause))",
                "error": "\(reason)",
            ])
        do {
            try database.raiseScanFailed(on: day, reason: reason, attempts: attempts)
        } catch {
            logger.error("could not record the failed scan as an alert", metadata: ["error": "\(oneLine(error))"])
        }
    }

    /// After files brought new sales: rescan today once no more came for `rescan_delay_seconds`.
    private func scheduleRescan() {
        guard !work.isStopRequested else { return }
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
        guard !work.isStopRequested else { return }
        // Files claimed before but not finished: a crash, or a database that could not take them (a full or
        // read-only disk). They are tried again at every look, so the daemon recovers once space returns.
        var retried = false
        let (leftovers, planted) = inbox.leftovers()
        for (path, what) in planted {
            do {
                let moved = try inbox.reject(path, error: "\((path as NSString).lastPathComponent): refused: \(what)")
                logger.warning("refused", metadata: ["file": "\(path)", "reason": "\(what)", "moved_to": "\(moved)"])
            } catch {
                report(error, doing: "moving \(path) to rejected/")
            }
        }
        for path in leftovers {
            logger.notice("taking up a file claimed but not finished", metadata: ["file": "\(path)"])
            retried = take(path) || retried
        }
        if retried { scheduleRescan() }
        do {
            let (ready, strangers) = try inbox.look(now: now(), settle: TimeInterval(config.daemon.settleSeconds))
            for (name, what) in strangers {
                let moved = try inbox.rejectStranger(name, what: what)
                logger.warning(
                    "refused", metadata: ["file": "\(name)", "reason": "\(what)", "moved_to": "\(moved ?? "")"])
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
        var importer = Importer(
            database: database, settings: config.importing, now: now,
            today: { [schedule, now] in schedule.today(at: now()).day })
        // The inbox is writable by every operator: a link planted there is refused, never followed.
        importer.followLinks = false
        importer.control = work
        do {
            let imported = try importer.importFile(at: path)
            logger.info(
                "imported",
                metadata: [
                    "file": "\(name)", "kind": "\(imported.kind?.rawValue ?? "?")", "rows": "\(imported.rows)",
                    "stored": "\(imported.inserted)", "already_stored": "\(imported.duplicates)",
                    "corrected": "\(imported.corrected)",
                ])
            // Stored: from here on a failure is about moving the file, never about importing it.
            do {
                let archived = try inbox.archive(path)
                logger.info("archived", metadata: ["file": "\(name)", "to": "\(archived)"])
            } catch {
                self.report(error, doing: "archiving \(name) (it was imported)")
            }
            return imported.inserted > 0 || imported.corrected > 0
        } catch is WorkControl.Stopped {
            logger.notice(
                "import stopped for the shutdown and rolled back; the file stays claimed", metadata: ["file": "\(name)"]
            )
        } catch let superseded as AppDatabase.Superseded {
            // Claimed, not imported: the newer daemon takes it up.
            stepAside(superseded)
        } catch let failure as ImportFailure {
            do {
                let rejected = try inbox.reject(path, error: failure.description)
                logger.warning(
                    "refused", metadata: ["file": "\(name)", "reason": "\(failure.summary)", "moved_to": "\(rejected)"])
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
        do {
            var fresh = try ConfigLoader.load(path: configPath)
            if fresh.stateDirectory != config.stateDirectory {
                logger.warning(
                    "state_dir changed in the config; the daemon keeps its state directory until it is restarted",
                    metadata: ["running": "\(config.stateDirectory)", "config": "\(fresh.stateDirectory)"])
                fresh.stateDirectory = config.stateDirectory
            }
            let pollChanged = fresh.daemon != config.daemon
            // New limits apply now, not tomorrow.
            if fresh.retention != config.retention { lastPruned = nil }
            config = fresh
            if pollChanged { startTimers() }
            logger.info("config reloaded", metadata: ["config": "\(configPath)"])
            checkSchedule()
        } catch {
            logger.error("config not reloaded; the running one stays", metadata: ["error": "\(error)"])
        }
        notifier.ready(status: idleStatus())
    }

    /// Why the daemon stopped on its own, if it did: then `winback daemon` exits non-zero, so that systemd starts
    /// it again, as the newer binary after an upgrade. Set on `queue`; read after ``run()`` returned (the stop
    /// semaphore orders the two).
    public private(set) var failure: String?

    /// True, and the daemon stops, when a newer winback migrated the database after this one opened it (an upgrade
    /// whose new CLI ran before the old daemon was restarted): writing on would undo what the newer one stored.
    private func stepAsideForNewerSchema() -> Bool {
        guard let superseded = try? database.supersededBy() else { return false }
        stepAside(superseded)
        return true
    }

    /// Stops the daemon for good (status 1) because the database is a newer winback's now.
    private func stepAside(_ superseded: AppDatabase.Superseded) {
        guard failure == nil else { return }
        failure = superseded.description
        logger.critical("stopping: \(superseded.description)")
        stop(signal: nil)
    }

    /// On `control` for a signal (on the work loop when the daemon stops itself): tells the job under way to stop,
    /// then lets the work loop wind down and `run()` return.
    private func stop(signal: Int32?) {
        guard !work.isStopRequested else { return }
        work.requestStop()
        notifier.stopping()
        if let signal { logger.info("stopping", metadata: ["signal": "\(signal == SIGTERM ? "SIGTERM" : "SIGINT")"]) }
        queue.async { [self] in
            timers.forEach { $0.cancel() }
            rescanTimer?.cancel()
            control.sync {
                watchdogTimer?.cancel()
                signals.forEach { $0.cancel() }
            }
            stopped.signal()
        }
    }

    // MARK: - Reporting

    private func idleStatus() -> String {
        let next = config.daemon.scanAt
        var text = "\(lastSummary); daily scan at " + String(format: "%02d:%02d", next.hour, next.minute)
        if let failed = failedScan {
            let retry = max(0, Int(failed.retryAt.timeIntervalSince(now())))
            text =
                "SCAN FAILED for \(failed.day.iso) (\(failed.attempts)×): \(failed.reason); retry in \(retry) s; "
                + text
        }
        return text
    }

    private func report(_ error: any Error, doing what: String) {
        logger.error("failed \(what)", metadata: ["error": "\(oneLine(error))"])
        notifier.status("error \(what): \(oneLine(error))")
    }
}
