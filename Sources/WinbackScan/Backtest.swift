import WinbackCore
import WinbackStore

/// Replays the assessment of a past day and compares it with what happened next.
///
/// For each criterion (and for the resulting status), how many active clients it flagged, how many of
/// those then bought nothing within the horizon (precision), what share of all clients that bought nothing
/// it had flagged (recall), and how many flagged clients bought again. No scan result is stored (only the
/// aggregates are brought up to date, as any scan would); histories are cut at the day.
public struct Backtest: Sendable {
    public let database: AppDatabase
    public let settings: ChurnSettings

    public init(database: AppDatabase, settings: ChurnSettings) {
        self.database = database
        self.settings = settings
    }

    public struct Row: Sendable, Equatable {
        /// A criterion's name, or `status` for at risk or lost.
        public var name: String
        public var flagged: Int
        /// Flagged and bought nothing within the horizon.
        public var correct: Int
        public var precision: Double?
        public var recall: Double?
        /// Flagged and bought again within the horizon.
        public var cameBack: Int
    }

    public struct Report: Sendable, Equatable {
        public var asOf: Day
        public var horizonDays: Int
        /// Clients with a purchase in the year before the day: those the test is about.
        public var activeClients: Int
        /// Of those, the ones that bought nothing within the horizon.
        public var silentClients: Int
        public var rows: [Row]
        /// winback's status against the plain rule a user would otherwise use, at the same false-alarm rate.
        public var comparison: Comparison
        /// False alarms and recall at other `at_risk_probability` limits, strictest last.
        public var limits: [Limit]
    }

    /// False alarms (flagged among the clients that bought again) and recall (flagged among those that did not).
    public struct Rates: Sendable, Equatable {
        public var falseAlarms: Double
        public var recall: Double
    }

    /// winback's status beside "silent N days", N the shortest silence whose false alarms are no more than
    /// winback's; nil N when no such rule flags anyone.
    public struct Comparison: Sendable, Equatable {
        public var winback: Rates
        public var ruleDays: Int?
        public var rule: Rates?
    }

    /// The status's rates at one `at_risk_probability` (lost at the same probability or the configured one if
    /// stricter).
    public struct Limit: Sendable, Equatable {
        public var atRiskProbability: Double
        public var rates: Rates
    }

    public struct Failure: Error, CustomStringConvertible {
        public var description: String
    }

    public func run(asOf: Day, horizonDays: Int) throws -> Report {
        try database.aggregateNewSales()
        let end = asOf.adding(days: horizonDays)
        guard let lastSale = try database.lastSaleDay(), lastSale >= end else {
            throw Failure(
                description: "the horizon ends \(end.iso), after the last sale stored"
                    + ((try? database.lastSaleDay()).flatMap { $0.map { " (\($0.iso))" } } ?? "")
                    + ": what happened next is not known yet")
        }
        var assessments: [Assessment] = []
        var boughtAfter: [Bool] = []
        let calendar = try database.calendar(through: asOf, settings: settings.calendar)
        try database.forEachHistory(asOf: end) { _, history in
            let known = history.known(asOf: asOf)
            guard let last = known.days.last(where: \.isPurchase)?.day, last > asOf.adding(days: -365) else { return }
            assessments.append(Assessment(history: known, previous: nil, asOf: asOf, settings: settings, calendar: calendar))
            boughtAfter.append(history.days.contains { $0.day > asOf && $0.isPurchase })
        }
        let judgedOnTheirOwn = assessments
        _ = SilenceStage.apply(to: &assessments, previous: Array(repeating: nil, count: assessments.count), settings: settings)
        let silent = boughtAfter.filter { !$0 }.count
        let buyers = boughtAfter.count - silent
        func rates(_ flagged: [Bool]) -> Rates {
            var falseAlarms = 0
            var found = 0
            for (index, flag) in flagged.enumerated() where flag {
                if boughtAfter[index] { falseAlarms += 1 } else { found += 1 }
            }
            return Rates(
                falseAlarms: buyers > 0 ? Double(falseAlarms) / Double(buyers) : 0,
                recall: silent > 0 ? Double(found) / Double(silent) : 0)
        }
        let winback = rates(assessments.map { $0.status.status.isFailing })
        // The plain rule at the same false-alarm rate: the shortest silence that does not flag more buyers.
        var ruleDays: Int?
        var rule: Rates?
        let silences = assessments.map { $0.facts.daysSilent ?? 0 }
        for days in Set(silences).sorted() {
            let candidate = rates(silences.map { $0 > days })
            if candidate.falseAlarms <= winback.falseAlarms {
                ruleDays = days
                rule = candidate
                break
            }
        }
        let limits = [0.05, 0.02, 0.01, 0.005, 0.002, 0.001, 0.0005, 0.0002, 0.0001].map { probability in
            var tuned = settings
            tuned.overdue.atRiskProbability = probability
            tuned.overdue.lostProbability = min(settings.overdue.lostProbability, probability)
            var again = judgedOnTheirOwn
            _ = SilenceStage.apply(to: &again, previous: Array(repeating: nil, count: again.count), settings: tuned)
            return Limit(atRiskProbability: probability, rates: rates(again.map { $0.status.status.isFailing }))
        }
        func row(_ name: String, _ flagged: (Assessment) -> Bool) -> Row {
            var count = 0
            var correct = 0
            for (index, assessment) in assessments.enumerated() where flagged(assessment) {
                count += 1
                if !boughtAfter[index] { correct += 1 }
            }
            return Row(
                name: name, flagged: count, correct: correct,
                precision: count > 0 ? Double(correct) / Double(count) : nil,
                recall: silent > 0 ? Double(correct) / Double(silent) : nil, cameBack: count - correct)
        }
        var rows = Criterion.allCases.map { criterion in
            row(criterion.rawValue) { $0.findings.contains { $0.criterion == criterion } }
        }
        rows.append(row("status") { $0.status.status == .atRisk || $0.status.status == .lost })
        return Report(
            asOf: asOf, horizonDays: horizonDays, activeClients: assessments.count, silentClients: silent, rows: rows,
            comparison: Comparison(winback: winback, ruleDays: ruleDays, rule: rule), limits: limits)
    }
}
