/// A past day replayed: each criterion's flags, and winback's silence verdicts against the plain rule a user
/// would otherwise use, compared with what the clients did next.
///
/// For each criterion (and for the resulting status), how many active clients it flagged, how many of those then
/// bought nothing within the horizon (precision), what share of all clients that bought nothing it had flagged
/// (recall), and how many flagged clients bought again. Pure: the histories come from the caller, one at a time
/// (``Replayer``), each known up to the horizon's end; they are cut at the day here.
public enum Backtest {
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

    /// One replayed day: each criterion's flags against what happened next.
    public struct Replay: Sendable, Equatable {
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
        public var days: [Replay]
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

    /// Replays one day from histories fed one at a time, so that memory holds the facts of the clients, not
    /// their histories.
    public struct Replayer {
        public let asOf: Day
        public let horizonDays: Int
        let settings: ChurnSettings
        let calendar: BusinessCalendar
        var assessments: [Assessment] = []
        var boughtAfter: [Bool] = []

        public init(asOf: Day, horizonDays: Int, settings: ChurnSettings, calendar: BusinessCalendar) {
            self.asOf = asOf
            self.horizonDays = horizonDays
            self.settings = settings
            self.calendar = calendar
        }

        /// The day the horizon ends: histories must be known through it.
        public var horizonEnd: Day { asOf.adding(days: horizonDays) }

        /// Adds a client when it bought in the year before the day.
        public mutating func add(_ history: ClientHistory) {
            let known = history.known(asOf: asOf)
            guard let last = known.days.last(where: \.isPurchase)?.day, last > asOf.adding(days: -365) else { return }
            assessments.append(
                Assessment(history: known, previous: nil, asOf: asOf, settings: settings, calendar: calendar))
            boughtAfter.append(history.days.contains { $0.day > asOf && $0.day <= horizonEnd && $0.isPurchase })
        }

        public func finish() -> Replay {
            var assessments = assessments
            let judgedOnTheirOwn = assessments
            _ = SilenceStage.apply(
                to: &assessments, previous: Array(repeating: nil, count: assessments.count), settings: settings)
            let silent = boughtAfter.filter { !$0 }.count
            let samples = zip(assessments, boughtAfter).map { assessment, bought in
                Sample(
                    daysSilent: assessment.facts.daysSilent ?? 0, flagged: silenceFlag(assessment), boughtAgain: bought)
            }
            let (winback, ruleDays, rule) = compare(samples)
            let limits = [0.05, 0.02, 0.01, 0.005, 0.002, 0.001, 0.0005, 0.0002, 0.0001].map { probability in
                var tuned = settings
                tuned.overdue.atRiskProbability = probability
                tuned.overdue.lostProbability = min(settings.overdue.lostProbability, probability)
                var again = judgedOnTheirOwn
                _ = SilenceStage.apply(to: &again, previous: Array(repeating: nil, count: again.count), settings: tuned)
                return Limit(atRiskProbability: probability, rates: rates(again.map(silenceFlag), samples))
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
            rows.append(row("status") { $0.status.status.isFailing })
            return Replay(
                asOf: asOf, horizonDays: horizonDays, activeClients: assessments.count, samples: samples,
                silentClients: silent, rows: rows,
                comparison: Comparison(winback: winback, ruleDays: ruleDays, rule: rule),
                limits: limits)
        }
    }

    /// Every month end from `from` through `through`.
    public static func monthEnds(from: Day, through: Day) -> [Day] {
        var days: [Day] = []
        var (year, month, _) = from.components
        while true {
            let (nextYear, nextMonth) = month == 12 ? (year + 1, 1) : (year, month + 1)
            let end = Day(year: nextYear, month: nextMonth, day: 1)!.adding(days: -1)
            if end > through { break }
            if end >= from { days.append(end) }
            (year, month) = (nextYear, nextMonth)
        }
        return days
    }

    /// Several replayed days, and one "silent N days" rule tuned over all of them at once.
    public static func period(_ days: [Replay]) -> Period {
        let (winback, ruleDays, rule) = compare(days.flatMap(\.samples))
        let ruleByDay = days.map { day in
            rates(day.samples.map { sample in ruleDays.map { sample.daysSilent > $0 } ?? false }, day.samples)
        }
        return Period(days: days, winback: winback, ruleDays: ruleDays, rule: rule, ruleByDay: ruleByDay)
    }

    /// At risk or lost for silence or by the purchase model: the verdicts a silence rule is compared with.
    public static func silenceFlag(_ assessment: Assessment) -> Bool {
        assessment.findings.contains { $0.verdict != .flag && $0.criterion.judgesSilence }
    }

    public static func rates(_ flagged: [Bool], _ samples: [Sample]) -> Rates {
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
    public static func compare(_ samples: [Sample]) -> (winback: Rates, ruleDays: Int?, rule: Rates?) {
        let winback = rates(samples.map(\.flagged), samples)
        for days in Set(samples.map(\.daysSilent)).sorted() {
            let candidate = rates(samples.map { $0.daysSilent > days }, samples)
            if candidate.falseAlarms <= winback.falseAlarms { return (winback, days, candidate) }
        }
        return (winback, nil, nil)
    }
}
