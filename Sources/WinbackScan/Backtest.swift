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
        /// Each of them: days silent on the day, whether winback judged it silent for too long, and whether it
        /// bought within the horizon (to tune one rule over several days).
        public var samples: [Sample]
        /// Of those, the ones that bought nothing within the horizon.
        public var silentClients: Int
        public var rows: [Row]
        /// winback's status against the plain rule a user would otherwise use, at the same false-alarm rate.
        public var comparison: Comparison
        /// False alarms and recall at other `at_risk_probability` limits, strictest last.
        public var limits: [Limit]
    }

    public struct Sample: Sendable, Equatable {
        public var daysSilent: Int
        public var flagged: Bool
        public var boughtAgain: Bool
    }

    /// Every month end of a period, and one "silent N days" rule tuned over all of them at once, as a user would
    /// set it, against winback's verdicts over the same days.
    public struct Period: Sendable, Equatable {
        public var reports: [Report]
        /// winback's silence verdicts over all the days together.
        public var winback: Rates
        public var ruleDays: Int?
        /// The rule over all the days together, and on each day.
        public var rule: Rates?
        public var ruleByDay: [Rates]
    }

    /// False alarms (flagged among the clients that bought again) and recall (flagged among those that did not).
    public struct Rates: Sendable, Equatable {
        public var falseAlarms: Double
        public var recall: Double
    }

    /// winback's silence verdicts (at risk or lost for silence or by the purchase model) beside "silent N days", N
    /// the shortest silence whose false alarms are no more than winback's; nil N when no such rule flags anyone.
    /// A decline is left out of both: it flags clients that still buy, which no silence rule can see.
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
        let samples = zip(assessments, boughtAfter).map { assessment, bought in
            Sample(daysSilent: assessment.facts.daysSilent ?? 0, flagged: Self.silenceFlag(assessment), boughtAgain: bought)
        }
        let (winback, ruleDays, rule) = Self.compare(samples)
        let limits = [0.05, 0.02, 0.01, 0.005, 0.002, 0.001, 0.0005, 0.0002, 0.0001].map { probability in
            var tuned = settings
            tuned.overdue.atRiskProbability = probability
            tuned.overdue.lostProbability = min(settings.overdue.lostProbability, probability)
            var again = judgedOnTheirOwn
            _ = SilenceStage.apply(to: &again, previous: Array(repeating: nil, count: again.count), settings: tuned)
            return Limit(atRiskProbability: probability, rates: Self.rates(again.map(Self.silenceFlag), samples))
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
            asOf: asOf, horizonDays: horizonDays, activeClients: assessments.count, samples: samples,
            silentClients: silent, rows: rows, comparison: Comparison(winback: winback, ruleDays: ruleDays, rule: rule),
            limits: limits)
    }

    /// Every month end from `from` through `through` whose horizon has passed, and one rule tuned over all of them.
    public func run(monthEndsFrom from: Day, through: Day, horizonDays: Int) throws -> Period {
        guard from <= through else {
            throw Failure(description: "the period starts \(from.iso), after it ends (\(through.iso))")
        }
        try database.aggregateNewSales()
        let lastSale = try database.lastSaleDay()
        var days: [Day] = []
        var (year, month, _) = from.components
        while true {
            let (nextYear, nextMonth) = month == 12 ? (year + 1, 1) : (year, month + 1)
            let end = Day(year: nextYear, month: nextMonth, day: 1)!.adding(days: -1)
            if end > through { break }
            if end >= from { days.append(end) }
            (year, month) = (nextYear, nextMonth)
        }
        days = days.filter { day in lastSale.map { day.adding(days: horizonDays) <= $0 } ?? false }
        guard !days.isEmpty else {
            throw Failure(
                description: "no month end from \(from.iso) to \(through.iso) has \(horizonDays) days of sales after it"
                    + (lastSale.map { " (the last sale stored is on \($0.iso))" } ?? " (no sales stored)"))
        }
        let reports = try days.map { try run(asOf: $0, horizonDays: horizonDays) }
        let (winback, ruleDays, rule) = Self.compare(reports.flatMap(\.samples))
        let ruleByDay = reports.map { report in
            Self.rates(report.samples.map { sample in ruleDays.map { sample.daysSilent > $0 } ?? false }, report.samples)
        }
        return Period(reports: reports, winback: winback, ruleDays: ruleDays, rule: rule, ruleByDay: ruleByDay)
    }

    /// At risk or lost for silence or by the purchase model: the verdicts a silence rule is compared with.
    static func silenceFlag(_ assessment: Assessment) -> Bool {
        assessment.findings.contains { $0.verdict != .flag && $0.criterion.judgesSilence }
    }

    static func rates(_ flagged: [Bool], _ samples: [Sample]) -> Rates {
        var buyers = 0
        var silent = 0
        var falseAlarms = 0
        var found = 0
        for (flag, sample) in zip(flagged, samples) {
            if sample.boughtAgain {
                buyers += 1
                if flag { falseAlarms += 1 }
            } else {
                silent += 1
                if flag { found += 1 }
            }
        }
        return Rates(
            falseAlarms: buyers > 0 ? Double(falseAlarms) / Double(buyers) : 0,
            recall: silent > 0 ? Double(found) / Double(silent) : 0)
    }

    /// winback's rates, and the plain rule at the same false-alarm rate: the shortest silence that does not flag
    /// more buyers.
    static func compare(_ samples: [Sample]) -> (winback: Rates, ruleDays: Int?, rule: Rates?) {
        let winback = rates(samples.map(\.flagged), samples)
        for days in Set(samples.map(\.daysSilent)).sorted() {
            let candidate = rates(samples.map { $0.daysSilent > days }, samples)
            if candidate.falseAlarms <= winback.falseAlarms { return (winback, days, candidate) }
        }
        return (winback, nil, nil)
    }
}
