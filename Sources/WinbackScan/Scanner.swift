import Foundation
import WinbackCore
import WinbackStore

#if canImport(Glibc)
    import Glibc
#endif

/// What one scan found, in numbers: for the command line, the log and the digest.
public struct ScanSummary: Sendable, Equatable {
    public var scanID: Int64
    public var asOf: Day
    public var clients: Int
    /// Clients per status after the scan.
    public var statuses: [ClientStatus: Int]
    /// Clients whose status changed to each status in this scan.
    public var changedTo: [ClientStatus: Int]
    /// Findings per criterion.
    public var findings: [Criterion: Int]
    /// Alerts the rules raised (new or carried on).
    public var alerts = 0
    /// What the data covers, and whether the feed had stopped (then silence was judged up to its last day).
    public var feed: FeedCheck
    /// True when the day was before the latest live scan's: the day was judged and its outbox can be written, but
    /// the live book (client states, alerts, the win-back list, status history) was left to the latest day.
    public var replay = false
    /// A replay's view for its outbox: its alerts, win-back list, trend up to its day and feed (a live scan's view
    /// is read from the store).
    public var replayView: DayView?
    /// Wall time of each stage, in order: what a benchmark or an admin asks when a scan is slow.
    public var stages: [StageTime] = []
}

/// How long one stage of a scan took.
public struct StageTime: Sendable, Equatable {
    public var name: String
    public var seconds: Double

    public init(name: String, seconds: Double) {
        self.name = name
        self.seconds = seconds
    }

    /// A stage measured on a monotonic clock.
    public init(name: String, duration: Duration) {
        let parts = duration.components
        self.init(name: name, seconds: Double(parts.seconds) + Double(parts.attoseconds) / 1e18)
    }
}

/// Work started on another thread, waited for later; its value is returned, and its error thrown, by ``wait()``.
final class Background<Value: Sendable>: @unchecked Sendable {
    private let group = DispatchGroup()
    // Set once by the work, read after `group` says it ended.
    private var result: Result<Value, Error>?

    init(_ work: @escaping @Sendable () throws -> Value) {
        DispatchQueue.global().async(group: group) { [self] in
            result = Result { try work() }
        }
    }

    /// Waits for the work; returns what it made, or throws what it threw.
    @discardableResult
    func wait() throws -> Value {
        group.wait()
        return try result!.get()
    }

    /// Waits for the work, whatever it did (the scan ended another way).
    func abandon() {
        group.wait()
    }
}

/// Times the stages of one scan on a monotonic clock.
struct StageClock {
    private let clock = ContinuousClock()
    private var last: ContinuousClock.Instant
    private(set) var stages: [StageTime] = []

    init() { last = clock.now }

    /// Records a part of the last stage, already counted in it.
    mutating func note(_ name: String, _ duration: Duration) {
        stages.append(StageTime(name: "  " + name, duration: duration))
    }

    /// Ends the stage under way, naming it.
    mutating func lap(_ name: String) {
        let now = clock.now
        stages.append(StageTime(name: name, duration: last.duration(to: now)))
        last = now
    }
}

/// Runs a scan: assesses every client as of a day, classifies them all,
/// and stores the results and the status changes.
///
/// The assessment is the pure domain's; this type only moves data between the store and it, one client
/// at a time, so memory holds the facts of all clients but the history of one.
public struct Scanner: Sendable {
    public let database: AppDatabase
    public let settings: ChurnSettings
    private let now: @Sendable () -> Date
    private let control: WorkControl?

    /// `control` is ticked as the scan moves; a stop asked there ends the scan before anything of it is stored.
    public init(
        database: AppDatabase, settings: ChurnSettings, now: @escaping @Sendable () -> Date = Date.init,
        control: WorkControl? = nil
    ) {
        self.control = control
        self.database = database
        self.settings = settings
        self.now = now
    }

    public func scan(asOf: Day) throws -> ScanSummary {
        let started = timestamp()
        var clock = StageClock()
        let feed = try database.feedCheck(asOf: asOf, staleAfterDays: settings.feed.staleAfterDays)
        // When the feed has stopped, silence is judged up to the last day with sales: no client turns lost
        // because the export did.
        let judged = feed.judgedThrough
        let previous = try database.statusesBefore(asOf)
        let calendar = try database.calendar(through: judged, settings: settings.calendar)
        clock.lap("feed, calendar, statuses")
        var keys: [Int64] = []
        let pipeline = AssessmentPipeline { [settings] input in
            Assessment(
                history: input.history, previous: input.previous, asOf: judged, settings: settings, calendar: calendar)
        }
        let records: HistoryRecords
        do {
            records = try database.forEachHistory(asOf: judged, makeRecords: true, flatCategories: true) {
                key, history in
                try control?.checkpoint()
                keys.append(key)
                pipeline.add((previous[key], history))
            }
        } catch {
            pipeline.abandon()
            throw error
        }
        var assessments = pipeline.finish()
        clock.lap("read and assess")
        try control?.checkpoint()
        // The records of clients whose sales changed since theirs was made, for the next scan to read: written on
        // another thread while this one runs the silence model (a first scan writes 100,000, 1.6 s at that size).
        let keeping = Background { [database, control] in try database.keepHistoryRecords(records, control: control) }
        defer { keeping.abandon() }
        // Master data, contacts and dossiers, read on another thread meanwhile: the silence model's book-wide fits
        // leave a core idle.
        let contextsLater = Background { [database] in try database.clientContexts(asOf: judged) }
        defer { contextsLater.abandon() }
        let (fits, views) = SilenceStage.apply(
            to: &assessments, previous: keys.map { previous[$0] }, settings: settings, split: .threads)
        clock.lap("silence model")
        try control?.checkpoint()
        let classes = Classifier.classify(assessments.map(\.facts), settings: settings.classes)
        clock.lap("classes")
        let (contexts, contactsTracked, dossiersTracked) = try contextsLater.wait()
        clock.lap("contexts (read alongside)")
        try control?.checkpoint()
        var summary = ScanSummary(
            scanID: 0, asOf: asOf, clients: keys.count, statuses: [:], changedTo: [:],
            findings: [:], feed: feed)
        for index in assessments.indices {
            let status = assessments[index].status.status
            summary.statuses[status, default: 0] += 1
            if previous[keys[index]]?.status != status { summary.changedTo[status, default: 0] += 1 }
            for finding in assessments[index].findings { summary.findings[finding.criterion, default: 0] += 1 }
        }
        // Each assessment is moved into its client, from the last: a copy retained every array of every assessment,
        // and released them all again at the end (a tenth of a second each way at 100,000 clients).
        precondition(assessments.count == keys.count, "one assessment per client")
        let clients = [(key: Int64, client: JudgedClient)](unsafeUninitializedCapacity: keys.count) { buffer, made in
            var index = keys.count
            while let assessment = assessments.popLast() {
                index -= 1
                (buffer.baseAddress! + index).initialize(
                    to: (
                        key: keys[index],
                        client: JudgedClient(
                            assessment: assessment, classes: classes[index], previous: previous[keys[index]],
                            context: contexts[keys[index]], model: views[index])
                    ))
            }
            made = keys.count
        }
        // The alerts, the list and the failure statistics, worked out on another core while this one writes the
        // clients' states (the store asks for them after those).
        let outcomeLater = Background { [settings] in
            ScanOutcome(
                clients: clients, bookAlerts: feed.alert.map { [$0] } ?? [], settings: settings,
                contactsTracked: contactsTracked, dossiersTracked: dossiersTracked)
        }
        defer { outcomeLater.abandon() }
        clock.lap("judged clients, summary")
        try control?.checkpoint()
        try keeping.wait()
        clock.lap("history records kept")
        var waited = Duration.zero
        let saved = try database.saveScan(
            asOf: asOf, startedAt: started, finishedAt: timestamp(), clients: clients, fits: Self.stored(fits),
            control: control
        ) {
            let start = ContinuousClock.now
            defer { waited = start.duration(to: .now) }
            return try outcomeLater.wait()
        }
        let outcome = try outcomeLater.wait()
        summary.scanID = saved.scanID
        summary.replay = saved.replay
        summary.alerts = outcome.alerts.count
        clock.lap("save (outcome alongside)")
        clock.note("waiting for the outcome", waited)
        if saved.replay {
            var labels: [Int64: ClientLabel] = [:]
            for index in keys.indices {
                let context = contexts[keys[index]]
                labels[keys[index]] = ClientLabel(
                    clientID: clients[index].client.assessment.facts.clientID, name: context?.name,
                    manager: context?.manager,
                    region: context?.region, abc: classes[index].abc)
            }
            summary.replayView = try database.replayView(asOf: asOf, outcome: outcome, labels: labels, feed: feed)
            clock.lap("replay view")
        }
        summary.stages = clock.stages
        return summary
    }

    /// The fits as the store keeps them: the book's gap prior, the dropout model, Gamma-Gamma for spend.
    static func stored(_ fits: ModelFits) -> [String: StoredFit] {
        var out: [String: StoredFit] = [:]
        if let prior = fits.prior {
            out["gap_prior"] = StoredFit(
                parameters: JSONObject([
                    ("shape", .number(GapFit.shape(forLogVariance: prior.varianceLog))),
                    ("mean_gap_working_days", .number(exp(prior.centreLogMean))),
                    ("log_mean_spread", .number(prior.spreadLogMean)),
                    ("drift", .number(prior.drift)),
                ]).text,
                logLikelihood: 0, clients: 0, iterations: nil, converged: true)
        }
        if let dropout = fits.dropout {
            out["dropout"] = StoredFit(
                parameters: JSONObject([("a", .number(dropout.model.a)), ("b", .number(dropout.model.b))]).text,
                logLikelihood: dropout.logLikelihood, clients: 0, iterations: dropout.iterations,
                converged: dropout.converged)
        }
        if let gg = fits.gammaGamma {
            out["gamma_gamma"] = StoredFit(
                parameters: JSONObject([
                    ("p", .number(gg.model.p)), ("q", .number(gg.model.q)), ("v", .number(gg.model.v)),
                ]).text,
                logLikelihood: gg.logLikelihood, clients: 0, iterations: nil, converged: gg.converged)
        }
        return out
    }

    private func timestamp() -> String {
        ISO8601DateFormatter().string(from: now())
    }
}

extension ClientSplit {
    /// The clients in (up to) eight parts, run on the machine's threads as they come free.
    public static let threads = ClientSplit { count, body in
        let parts = min(8, count)
        DispatchQueue.concurrentPerform(iterations: parts) { part in
            body((count * part / parts)..<(count * (part + 1) / parts))
        }
    }
}
