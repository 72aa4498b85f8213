import Testing
import WinbackCore
import WinbackScan
import WinbackSimulation

/// Detection judged on a realistic book (working days only, a shutdown at the turn of the year, an August in which
/// orders slip, seasonal, irregular and project buyers, new clients, decliners, clients that slow down before they
/// leave), at every month end of a year and in the first weeks after the shutdown, against two plain rules a user
/// would otherwise use: "silent 90 days" and "silent 3× its median gap".
@Suite("Detection on a realistic book")
struct RealisticDetectionTests {
    static let book = RealisticBook(
        RealisticScenario(clients: 1500, start: Day(iso: "2023-07-01")!, end: Day(iso: "2025-09-30")!, seed: 2026))
    static let lines: [SaleLine] = {
        var lines: [SaleLine] = []
        book.generate { lines.append($0) }
        return lines
    }()

    static let days =
        ["2024-07-31", "2024-08-30", "2024-09-30", "2024-10-31", "2024-11-29", "2024-12-20", "2025-01-10", "2025-01-17",
         "2025-01-31", "2025-02-28", "2025-03-31", "2025-04-30", "2025-05-30", "2025-06-30"].map { Day(iso: $0)! }

    /// Every client judged as a scan does: the book's calendar learned from the days with sales, each client on
    /// its own, then the silence stage over all of them.
    static func judge(asOf: Day, settings: ChurnSettings = ChurnSettings()) -> (assessments: [Assessment], calendar: BusinessCalendar) {
        let known = lines.filter { $0.day <= asOf }
        var buying: [Day: Set<String>] = [:]
        for line in known { buying[line.day, default: []].insert(line.clientID) }
        let calendar = BusinessCalendar.learned(
            buyingClients: buying.mapValues(\.count), from: known.first!.day, through: asOf)
        var assessments = ClientHistory.from(known).map {
            Assessment(history: $0, previous: nil, asOf: asOf, settings: settings, calendar: calendar)
        }
        _ = SilenceStage.apply(to: &assessments, previous: Array(repeating: nil, count: assessments.count), settings: settings)
        return (assessments, calendar)
    }

    struct Figures {
        var day: Day
        var model: RealisticScore
        var silent90: RealisticScore
        var silent3x: RealisticScore
    }

    static func figures(_ day: Day) -> Figures {
        let (assessments, _) = judge(asOf: day)
        var statuses: [String: ClientStatus] = [:]
        var silent90 = Set<String>()
        var silent3x = Set<String>()
        for assessment in assessments {
            let facts = assessment.facts
            statuses[facts.clientID] = assessment.status.status
            if let silent = facts.daysSilent {
                if silent > 90 { silent90.insert(facts.clientID) }
                if let rhythm = facts.rhythm, Double(silent) > 3 * rhythm { silent3x.insert(facts.clientID) }
            }
        }
        return Figures(
            day: day, model: RealisticScore(book: book, statuses: statuses, asOf: day),
            silent90: RealisticScore(book: book, flagged: silent90, lost: silent90, asOf: day),
            silent3x: RealisticScore(book: book, flagged: silent3x, lost: silent3x, asOf: day))
    }

    @Test("few false alarms at every month end, after the shutdown and in the holiday month; the lost are found")
    func everyMonthEnd() {
        var table = ["day          false alarms         lost|buys again  lost recall  lost precision  off-season (all, known)  "
            + "│ silent 90: false / recall │ silent 3×: false / recall"]
        var worst = (falseAlarms: 0.0, lostAmongBuyers: 0.0, offSeason: 0.0)
        var recall = RealisticScore.Fraction()
        var precision = RealisticScore.Fraction()
        var sharp = RealisticScore.Fraction()
        var rulePrecision = (silent90: RealisticScore.Fraction(), silent3x: RealisticScore.Fraction())
        for day in Self.days {
            let f = Self.figures(day)
            let m = f.model.model
            table.append(
                "\(day.iso)  \(m.falseAlarms)  \(m.lostAmongBuyers)  \(m.lostRecall)  \(m.lostPrecision)  "
                    + "\(m.offSeasonFlagged) \(m.offSeasonFlaggedKnown) │ \(f.silent90.model.falseAlarms) / \(f.silent90.model.lostRecall) │ "
                    + "\(f.silent3x.model.falseAlarms) / \(f.silent3x.model.lostRecall)")
            worst.falseAlarms = max(worst.falseAlarms, m.falseAlarms.value)
            worst.lostAmongBuyers = max(worst.lostAmongBuyers, m.lostAmongBuyers.value)
            worst.offSeason = max(worst.offSeason, m.offSeasonFlaggedKnown.value)
            recall.count += m.lostRecall.count
            recall.total += m.lostRecall.total
            precision.count += m.lostPrecision.count
            precision.total += m.lostPrecision.total
            rulePrecision.silent90.count += f.silent90.model.lostPrecision.count
            rulePrecision.silent90.total += f.silent90.model.lostPrecision.total
            rulePrecision.silent3x.count += f.silent3x.model.lostPrecision.count
            rulePrecision.silent3x.total += f.silent3x.model.lostPrecision.total
            sharp.count += m.sharpDeclinesFound.count
            sharp.total += m.sharpDeclinesFound.total
        }
        table.append("worst false alarms \(fixed(worst.falseAlarms * 100, 1)) %, lost among buyers \(fixed(worst.lostAmongBuyers * 100, 1)) %, "
            + "off-season flagged \(fixed(worst.offSeason * 100, 1)) %; lost recall \(recall), precision \(precision); "
            + "80 % declines flagged 60 to 89 days after they began: \(sharp); precision of the rules' flags: silent 90 "
            + "days \(rulePrecision.silent90), silent 3× \(rulePrecision.silent3x)")
        print(table.joined(separator: "\n"))
        #expect(worst.falseAlarms <= 0.02)
        #expect(worst.lostAmongBuyers <= 0.005)
        #expect(worst.offSeason <= 0.02)
        #expect(recall.value >= 0.95)
        #expect(precision.value >= 0.97)
        // Falls of 80 % are checked one by one on their 90th day in sharpDeclinesWithinAQuarter; here they are only
        // counted on the month end 60 to 89 days after they began.
    }

    @Test("a fall of 80 % is found by its 90th day, while the client still buys as often")
    func sharpDeclinesWithinAQuarter() throws {
        var buying: [Day: Set<String>] = [:]
        for line in Self.lines { buying[line.day, default: []].insert(line.clientID) }
        let counts = buying.mapValues(\.count)
        let histories = Dictionary(uniqueKeysWithValues: ClientHistory.from(Self.lines).map { ($0.clientID, $0) })
        let first = Self.lines.first!.day
        var found = RealisticScore.Fraction()
        var missed: [String] = []
        for client in Self.book.clients {
            guard case .declinesSharply(let from, _) = client.fate else { continue }
            let day = from.adding(days: 90)
            guard day <= Self.book.scenario.end, client.isAlive(at: day), let history = histories[client.id] else {
                continue
            }
            let calendar = BusinessCalendar.learned(
                buyingClients: counts.filter { $0.key <= day }, from: first, through: day)
            let assessment = Assessment(
                history: history.known(asOf: day), previous: nil, asOf: day, settings: ChurnSettings(), calendar: calendar)
            let isFound = assessment.findings.contains { $0.criterion == .decline }
            found.add(isFound)
            if !isFound { missed.append("\(client.id) (every \(Int(client.meanGapDays)) days)") }
        }
        print("80 % falls found by their 90th day: \(found); missed: \(missed.joined(separator: ", "))")
        #expect(found.total >= 30)
        // 33 of 37 here; the four missed had too few orders since the fall (one client had four in all) or an
        // earlier order as small as the new ones.
        #expect(found.value >= 0.85)
    }

    @Test("the backtest puts winback's silence verdicts beside the plain rule at the same false-alarm rate, every month end")
    func backtestComparison() throws {
        let fixture = try ScanFixture()
        var text = SalesCSVFormat.comma.header
        for line in Self.lines where line.day <= Day(iso: "2025-09-30")! { text += SalesCSVFormat.comma.line(line) }
        try fixture.load("book.csv", text)
        let backtest = BacktestJob(database: fixture.database, settings: ChurnSettings())
        let period = try backtest.run(
            monthEndsFrom: Day(iso: "2024-07-01")!, through: Day(iso: "2025-06-30")!, horizonDays: 90)
        #expect(period.days.count == 12)
        let rule = try #require(period.rule)
        let days = try #require(period.ruleDays)
        print("backtest, 12 month ends: winback false alarms \(fixed(period.winback.falseAlarms * 100, 1)) %, found "
            + "\(fixed(period.winback.recall * 100, 1)) %; silent \(days) days: \(fixed(rule.falseAlarms * 100, 1)) %, found "
            + "\(fixed(rule.recall * 100, 1)) %")
        #expect(rule.falseAlarms <= period.winback.falseAlarms)
        // One rule for the whole year cannot follow the shutdown and August as the calendar does: winback finds
        // half as much again at the same false alarms.
        #expect(period.winback.recall >= 1.3 * rule.recall)
        #expect(period.days.allSatisfy { $0.comparison.winback.falseAlarms <= 0.02 })

        let report = try backtest.run(asOf: Day(iso: "2025-03-31")!, horizonDays: 90)
        #expect(report.comparison.winback.recall >= report.comparison.rule?.recall ?? 0, "no rule at the same false alarms finds more")
        let alarms = report.limits.map(\.rates.falseAlarms)
        #expect(zip(alarms, alarms.dropFirst()).allSatisfy { $0 >= $1 }, "\(alarms)")
    }
}
