import Foundation
import WinbackCore
import WinbackStore

/// What one scan found, in numbers: for the command line, the log and the digest.
public struct ScanSummary: Sendable, Equatable {
    public var scanID: Int64
    public var asOf: Day
    public var clients: Int
    /// Sales lines added to the aggregates by this scan (all history on the first scan, the news after).
    public var aggregatedLines: Int
    /// Clients per status after the scan.
    public var statuses: [ClientStatus: Int]
    /// Clients whose status changed to each status in this scan.
    public var changedTo: [ClientStatus: Int]
    /// Findings per criterion.
    public var findings: [Criterion: Int]
    /// Alerts the rules raised (new or carried on).
    public var alerts = 0
}

/// Runs a scan: brings the aggregates up to date, assesses every client as of a day, classifies them all,
/// and stores the results and the status changes.
///
/// The assessment is the pure domain's; this type only moves data between the store and it, one client
/// at a time, so memory holds the facts of all clients but the history of one.
public struct Scanner: Sendable {
    public let database: AppDatabase
    public let settings: ChurnSettings
    private let now: @Sendable () -> Date

    public init(database: AppDatabase, settings: ChurnSettings, now: @escaping @Sendable () -> Date = Date.init) {
        self.database = database
        self.settings = settings
        self.now = now
    }

    public func scan(asOf: Day) throws -> ScanSummary {
        let started = timestamp()
        let aggregated = try database.aggregateNewSales()
        let previous = try database.statusesBefore(asOf)
        var keys: [Int64] = []
        var assessments: [Assessment] = []
        try database.forEachHistory(asOf: asOf) { key, history in
            keys.append(key)
            assessments.append(Assessment(history: history, previous: previous[key], asOf: asOf, settings: settings))
        }
        let (fits, views) = ModelStage.apply(to: &assessments, previous: keys.map { previous[$0] }, settings: settings)
        let classes = Classifier.classify(assessments.map(\.facts), settings: settings.classes)
        let (contexts, contactsTracked, dossiersTracked) = try database.clientContexts(asOf: asOf)
        var outputs = ScanOutputs()
        outputs.fits = Self.stored(fits)
        var failures: [FailureInput] = []
        for index in keys.indices {
            let key = keys[index]
            let assessment = assessments[index]
            let context = contexts[key]
            let subject = AlertSubject(
                clientID: assessment.facts.clientID, name: context?.name, assessment: assessment,
                classes: classes[index], previous: previous[key], lastPositiveContact: context?.lastPositiveContact,
                lastNegativeContact: context?.lastNegativeContact, contactsTracked: contactsTracked,
                dossierReviewed: context?.dossierReviewed, dossiersTracked: dossiersTracked)
            let candidates = AlertRules.candidates(for: subject, settings: settings)
            outputs.alerts += candidates.map { (key, $0) }
            let status = assessment.status.status
            if status == .wonBack, previous[key]?.status == .lost { outputs.wonBack.insert(key) }
            if status == .atRisk || status == .lost {
                let loss = candidates.first { $0.kind == .atRisk || $0.kind == .lost || $0.kind == .decline }
                outputs.winback.append(
                    WinbackEntry(
                        client: key, status: status, reason: assessment.status.reason, value: assessment.facts.yearlyValue,
                        missedCycles: AlertRules.missedCycles(assessment.facts), offer: loss?.offer,
                        pAlive: views[index]?.pAlive, valueAtRisk: views[index]?.valueAtRisk))
            }
            failures.append(
                FailureInput(
                    status: status, previous: previous[key]?.status, abc: classes[index].abc, region: context?.region,
                    manager: context?.manager, mainCategory: assessment.facts.categories.first?.category,
                    droppedCategories: assessment.findings.compactMap { $0.criterion == .categoryDrop ? $0.category : nil },
                    yearlyValue: assessment.facts.yearlyValue))
        }
        outputs.winback.sort { ($0.value, $1.client) > ($1.value, $0.client) }
        outputs.failures = FailureAccounting.count(failures)
        var results: [ScanResult] = []
        results.reserveCapacity(keys.count)
        var summary = ScanSummary(
            scanID: 0, asOf: asOf, clients: keys.count, aggregatedLines: aggregated, statuses: [:], changedTo: [:],
            findings: [:])
        for index in keys.indices {
            let assessment = assessments[index]
            let status = assessment.status.status
            results.append(
                ScanResult(
                    client: keys[index], assessment: assessment, classes: classes[index], previous: previous[keys[index]],
                    model: views[index]))
            summary.statuses[status, default: 0] += 1
            if previous[keys[index]]?.status != status { summary.changedTo[status, default: 0] += 1 }
            for finding in assessment.findings { summary.findings[finding.criterion, default: 0] += 1 }
        }
        summary.scanID = try database.saveScan(
            asOf: asOf, startedAt: started, finishedAt: timestamp(), results: results, outputs: outputs)
        summary.alerts = outputs.alerts.count
        return summary
    }

    /// The fits as the store keeps them; alpha is in days.
    static func stored(_ fits: ModelFits) -> [String: StoredFit] {
        var out: [String: StoredFit] = [:]
        for fit in [fits.bgnbd, fits.mbgnbd].compactMap({ $0 }) {
            let m = fit.model
            out[m.variant.rawValue] = StoredFit(
                parameters: "{\"r\": \(m.r), \"alpha\": \(m.alpha), \"a\": \(m.a), \"b\": \(m.b), \"time_unit\": \"day\"}",
                logLikelihood: fit.logLikelihood, clients: fit.clients, iterations: fit.iterations, converged: fit.converged)
        }
        if let gg = fits.gammaGamma {
            out["gamma_gamma"] = StoredFit(
                parameters: "{\"p\": \(gg.model.p), \"q\": \(gg.model.q), \"v\": \(gg.model.v)}",
                logLikelihood: gg.logLikelihood, clients: 0, iterations: nil, converged: gg.converged)
        }
        return out
    }

    private func timestamp() -> String {
        ISO8601DateFormatter().string(from: now())
    }
}
