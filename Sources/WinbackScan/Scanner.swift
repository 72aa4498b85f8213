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
        let classes = Classifier.classify(assessments.map(\.facts), settings: settings.classes)
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
                    client: keys[index], assessment: assessment, classes: classes[index], previous: previous[keys[index]]))
            summary.statuses[status, default: 0] += 1
            if previous[keys[index]]?.status != status { summary.changedTo[status, default: 0] += 1 }
            for finding in assessment.findings { summary.findings[finding.criterion, default: 0] += 1 }
        }
        summary.scanID = try database.saveScan(
            asOf: asOf, startedAt: started, finishedAt: timestamp(), results: results)
        return summary
    }

    private func timestamp() -> String {
        ISO8601DateFormatter().string(from: now())
    }
}
