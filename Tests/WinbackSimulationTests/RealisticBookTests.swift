import Testing
import WinbackCSV
import WinbackCore
import WinbackSimulation

/// The realistic book keeps its promises: a working-day calendar with a shutdown and a holiday month, seasonal,
/// irregular and lumpy buyers, and truth that agrees with the lines written.
@Suite("Realistic book")
struct RealisticBookTests {
    static let scenario = RealisticScenario(
        clients: 1000, start: Day(iso: "2023-07-01")!, end: Day(iso: "2025-06-30")!, seed: 11)
    static let book = RealisticBook(scenario)
    static let lines: [SaleLine] = {
        var out: [SaleLine] = []
        book.generate { out.append($0) }
        return out
    }()

    @Test("the same seed gives the same book; another seed another")
    func deterministic() {
        var small = Self.scenario
        small.clients = 150
        func lines(_ scenario: RealisticScenario) -> [SaleLine] {
            var out: [SaleLine] = []
            RealisticBook(scenario).generate { out.append($0) }
            return out
        }
        let a = lines(small)
        #expect(a == lines(small))
        #expect(RealisticBook(small).clients.map(\.purchaseDays) == RealisticBook(small).clients.map(\.purchaseDays))
        #expect(RealisticBook(small).clients.map(\.fate) == RealisticBook(small).clients.map(\.fate))
        var other = small
        other.seed = 12
        #expect(a != lines(other))
    }

    @Test("lines come in date order, inside the period, with unique document lines")
    func ordered() {
        let all = Self.lines
        #expect(all.count > 10_000)
        #expect(zip(all, all.dropFirst()).allSatisfy { $0.day <= $1.day })
        #expect(all.allSatisfy { $0.day >= Self.scenario.start && $0.day <= Self.scenario.end })
        #expect(Set(all.map { "\($0.document)/\($0.line)" }).count == all.count)
        #expect(all.contains { $0.isReturn })
        #expect(all.allSatisfy { $0.margin != nil && $0.category != nil && $0.manager != nil && $0.region != nil })
    }

    @Test("nobody orders on a weekend or in the year-end shutdown; orders resume right after it")
    func workingDays() {
        #expect(Self.lines.allSatisfy { $0.day.weekday <= 5 })
        #expect(!Self.lines.contains { Self.scenario.isShutdown($0.day) })
        let reopening = Day(iso: "2024-01-07")!
        let firstWeek = Self.lines.filter { $0.day >= reopening && $0.day < reopening.adding(days: 7) }
        let weekBefore = Self.lines.filter { $0.day >= Day(iso: "2023-12-11")! && $0.day < Day(iso: "2023-12-18")! }
        // The orders due in the shutdown come in the first days after it.
        #expect(firstWeek.count > weekBefore.count)
    }

    @Test("the whole book buys less in August: its orders slip by one to three weeks")
    func holidayMonth() {
        var documents: [Day: Set<String>] = [:]
        for line in Self.lines { documents[line.day, default: []].insert(line.document) }
        func perWorkingDay(year: Int, month: Int) -> Double {
            var day = Day(year: year, month: month, day: 1)!
            var count = 0
            var workingDays = 0
            while day.components.month == month {
                if Self.scenario.isWorkingDay(day) {
                    workingDays += 1
                    count += documents[day]?.count ?? 0
                }
                day = day.adding(days: 1)
            }
            return Double(count) / Double(workingDays)
        }
        for year in [2023, 2024] {
            let august = perWorkingDay(year: year, month: 8)
            let around = [7, 9, 10].map { perWorkingDay(year: year, month: $0) }.reduce(0, +) / 3
            #expect(august < 0.85 * around, "\(year): \(august) orders a working day in August, \(around) around it")
        }
    }

    @Test("seasonal clients buy only from March to October, and come back every March")
    func seasonal() {
        let seasonal = Self.book.clients.filter(\.isSeasonal)
        #expect(seasonal.count > 50)
        for client in seasonal {
            #expect(client.purchaseDays.allSatisfy { (3...10).contains($0.components.month) }, "\(client.id)")
            #expect(client.purchaseDays.allSatisfy { !client.isOffSeason(at: $0) })
        }
        let ids = Set(seasonal.map(\.id))
        let soldByMonth = Set(Self.lines.filter { ids.contains($0.clientID) }.map { $0.day.components.month })
        #expect(soldByMonth.isDisjoint(with: [11, 12, 1, 2]))
        // Those there from the start that never leave buy in both seasons of the book, and come back by April.
        let loyal = seasonal.filter { !$0.isNew && $0.dropoutDay == nil }
        #expect(loyal.count > 20)
        for client in loyal {
            let returns2024 = client.purchaseDays.first { $0 >= Day(iso: "2024-03-01")! }
            #expect(
                returns2024 != nil && returns2024! < Day(iso: "2024-05-01")!,
                "\(client.id): \(String(describing: returns2024))")
            #expect(client.purchaseDays.contains { $0 >= Day(iso: "2025-03-01")! }, "\(client.id)")
        }
    }

    @Test("each buying pattern has its shape of gaps")
    func patterns() {
        func gapCV(_ clients: [RealisticClient]) -> Double {
            // The CV of each client's gaps in its own units, pooled: gap / mean gap.
            var ratios: [Double] = []
            for client in clients where client.purchaseDays.count >= 6 {
                let gaps = zip(client.purchaseDays, client.purchaseDays.dropFirst()).map { Double($0.days(to: $1)) }
                let mean = gaps.reduce(0, +) / Double(gaps.count)
                ratios += gaps.map { $0 / mean }
            }
            let variance = ratios.map { ($0 - 1) * ($0 - 1) }.reduce(0, +) / Double(ratios.count)
            return variance.squareRoot()
        }
        let steady = Self.book.clients.filter { $0.fate == .stays }
        let irregular = steady.filter { $0.pattern == .irregular }
        let veryRegular = steady.filter { $0.pattern == .regular && $0.gapCV < 0.25 && $0.meanGapDays >= 14 }
        let projects = Self.book.clients.filter { $0.pattern == .project }
        #expect(irregular.count > 50 && veryRegular.count > 20 && projects.count > 30)
        #expect(gapCV(irregular) > 0.8, "irregular gaps CV \(gapCV(irregular))")
        #expect(gapCV(veryRegular) < 0.35, "very regular gaps CV \(gapCV(veryRegular))")
        #expect(projects.allSatisfy { $0.meanGapDays >= 90 && $0.meanGapDays <= 150 })
        let projectTicket = projects.map(\.ticket).sorted()[projects.count / 2]
        let regulars = steady.filter { $0.pattern == .regular }
        let regularTicket = regulars.map(\.ticket).sorted()[regulars.count / 2]
        #expect(projectTicket > 5 * regularTicket)
        // New clients start during the book, the others in its first months.
        let newClients = Self.book.clients.filter(\.isNew)
        #expect(newClients.count > 100)
        #expect(newClients.allSatisfy { $0.firstDay >= Self.scenario.start.adding(days: 30) })
    }

    @Test("truth agrees with the lines: purchase days, dropouts, declines, and clients that leave after the end")
    func truth() {
        var days: [String: [Day]] = [:]
        var revenue: [String: [Day: Double]] = [:]
        for line in Self.lines {
            if days[line.clientID]?.last != line.day { days[line.clientID, default: []].append(line.day) }
            revenue[line.clientID, default: [:]][line.day, default: 0] += line.amount.doubleValue
        }
        let end = Self.scenario.end
        var leftInBook = 0
        var leaveLater = 0
        var recentLater = 0
        for client in Self.book.clients {
            #expect((days[client.id] ?? []) == client.purchaseDays, "\(client.id)")
            guard let dropout = client.dropoutDay else { continue }
            #expect(client.purchaseDays.allSatisfy { $0 < dropout }, "\(client.id) bought after leaving")
            #expect(!client.isAlive(at: dropout) && client.isAlive(at: dropout.adding(days: -1)))
            if dropout <= end {
                leftInBook += 1
                #expect(client.nextPurchase(after: dropout) == nil)
            } else {
                leaveLater += 1
                #expect(client.isAlive(at: end))
                // They buy up to the end, at their own rhythm.
                if let last = client.purchaseDays.last, Double(last.days(to: end)) <= 2 * client.meanGapDays + 21 {
                    recentLater += 1
                }
                if client.pattern != .seasonal {
                    #expect(
                        Double(client.purchaseDays.last!.days(to: end)) <= 8 * client.meanGapDays + 30, "\(client.id)")
                }
            }
        }
        #expect(leftInBook > 60)
        #expect(leaveLater > 30)
        #expect(Double(recentLater) >= 0.85 * Double(leaveLater))

        // Sharp decliners spend about a fifth after their day; gradual ones less and less.
        func mean(_ values: [Double]) -> Double { values.reduce(0, +) / Double(max(1, values.count)) }
        var before: [Double] = []
        var after: [Double] = []
        var lateGradual: [Double] = []
        for client in Self.book.clients {
            guard let since = client.declineStart, let perDay = revenue[client.id] else { continue }
            let normal = mean(perDay.filter { $0.key < since }.map(\.value))
            guard normal > 0 else { continue }
            if case .declinesSharply = client.fate {
                before.append(1)
                after.append(mean(perDay.filter { $0.key >= since }.map(\.value)) / normal)
            } else {
                lateGradual += perDay.filter { $0.key >= since.adding(days: 300) }.map { $0.value / normal }
            }
            #expect(client.spendFactor(at: since.adding(days: -1)) == 1)
        }
        #expect(before.count > 10)
        #expect(mean(after) < 0.3, "sharp decliners spend \(mean(after)) of what they did")
        #expect(!lateGradual.isEmpty && mean(lateGradual) < 0.45, "gradual decliners spend \(mean(lateGradual)) late")
    }

    @Test("clients whose gaps lengthen before they leave buy less and less often")
    func slowing() {
        var early: [Double] = []
        var late: [Double] = []
        for client in Self.book.clients {
            guard case .slowsThenLeaves(let from, let at, _) = client.fate, at <= Self.scenario.end else { continue }
            let days = client.purchaseDays
            for (a, b) in zip(days, days.dropFirst()) {
                let gap = Double(a.days(to: b)) / client.meanGapDays
                if b < from {
                    early.append(gap)
                } else if a >= from.adding(days: from.days(to: at) / 2) {
                    late.append(gap)
                }
            }
        }
        let meanEarly = early.reduce(0, +) / Double(early.count)
        let meanLate = late.reduce(0, +) / Double(late.count)
        #expect(late.count > 20 && meanLate > 1.4 * meanEarly, "gaps \(meanEarly) → \(meanLate) of the mean")
    }

    @Test("a scoring helper: perfect verdicts score perfectly; flagging everyone is all false alarms")
    func score() {
        let asOf = Day(iso: "2024-12-31")!
        let book = Self.book
        var lost = Set<String>()
        var flagged = Set<String>()
        for client in book.clients {
            if !client.isAlive(at: asOf) { lost.insert(client.id) }
            if let since = client.declineStart, since <= asOf { flagged.insert(client.id) }
        }
        let perfect = RealisticScore(book: book, flagged: flagged, lost: lost, asOf: asOf)
        #expect(perfect.model.lostAmongBuyers.count == 0)
        #expect(perfect.model.falseAlarms.count == 0, "a flagged decliner is found, not a false alarm")
        #expect(perfect.model.lostRecall.value == 1 && perfect.model.lostRecall.total > 20)
        #expect(perfect.model.lostPrecision.value == 1)
        #expect(perfect.model.sharpDeclinesFound.count == perfect.model.sharpDeclinesFound.total)
        #expect(perfect.model.gradualDeclinesFound.value == 1 && perfect.model.gradualDeclinesFound.total > 0)
        #expect(perfect.model.offSeasonFlagged.count == 0 && perfect.model.offSeasonFlagged.total > 20)

        // A plain rule beside the statuses: silent for more than three of its own median gaps.
        var rule = Set<String>()
        var statuses: [String: ClientStatus] = [:]
        for client in book.clients {
            let days = client.purchaseDays.filter { $0 <= asOf }
            guard let last = days.last else { continue }
            statuses[client.id] = .lost
            let gaps = zip(days, days.dropFirst()).map { $0.days(to: $1) }.sorted()
            if gaps.count >= 2, last.days(to: asOf) > 3 * gaps[gaps.count / 2] { rule.insert(client.id) }
        }
        let everyone = RealisticScore(book: book, statuses: statuses, asOf: asOf, rule: rule)
        print(everyone)
        let kinds = Set(everyone.rows.map(\.kind))
        #expect(
            kinds.isSuperset(of: ["left", "leaves later", "declining sharply", "stays, seasonal", "stays, project"]))
        #expect(everyone.model.falseAlarms.value == 1 && everyone.model.lostRecall.value == 1)
        let ruleRates = everyone.rule!
        #expect(ruleRates.falseAlarms.value > 0 && ruleRates.falseAlarms.value < 0.5)
        #expect(ruleRates.offSeasonFlagged.value > 0.5, "a plain silence rule flags seasonal clients in winter")
        #expect(ruleRates.lostRecall.value > 0.8)
    }

    @Test("master data and both export styles work with the realistic book", arguments: SalesCSVFormat.allCases)
    func exports(_ format: SalesCSVFormat) throws {
        let master = MasterDataGenerator(Self.book)
        #expect(master.clientsCSV().split(separator: "\n").count == Self.book.clients.count + 1)
        #expect(master.contactsCSV().contains("positive"))
        let original = Array(Self.lines.prefix(300))
        let reader = CSVReader(
            source: MemoryByteSource(format.header + original.map(format.line).joined(), chunkSize: 101))
        #expect(try reader.next())
        let numbers = DecimalParser(delimiter: reader.delimiter!)
        let dates = try DateParser()
        var index = 0
        while try reader.next() {
            #expect(dates.parse(reader.field(0)) == original[index].day)
            #expect(numbers.parseScaled(reader.field(8)) == .success(original[index].amount.scaled))
            index += 1
        }
        #expect(index == original.count)
    }

    @Test("2,000 clients over two years generate in well under two seconds")
    func speed() {
        let clock = ContinuousClock()
        var count = 0
        let elapsed = clock.measure {
            let book = RealisticBook(
                RealisticScenario(clients: 2000, start: Day(iso: "2023-07-01")!, end: Day(iso: "2025-06-30")!, seed: 3))
            book.generate { _ in count += 1 }
        }
        print("realistic book: 2,000 clients, two years, \(count) lines in \(elapsed)")
        #expect(count > 50_000)
        #expect(
            elapsed < .seconds(6), "a guard against a slow regression on a busy machine; alone it takes about 0.3 s")
    }
}
