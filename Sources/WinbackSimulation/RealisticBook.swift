import WinbackCore

#if canImport(Glibc)
    import Glibc
#elseif canImport(Darwin)
    import Darwin
#endif

/// A realistic book of wholesale clients with known truth, to judge detection on what a head of sales sees:
/// orders on working days only, a year-end shutdown, a holiday month in which orders slip, seasonal clients,
/// Poisson-like and lumpy project buyers beside regular ones of every regularity, new clients, and clients that
/// decline slowly or sharply, slow down before they leave, leave at a random moment, or leave after the end.
///
/// Every client's purchase days are drawn when the book is made (each client from its own stream of the seed,
/// so the book is the same on every machine), and kept in its truth: `RealisticClient.purchaseDays`,
/// `dropoutDay`, `declineStart`, `isOffSeason(at:)`. `generate` then writes those purchases as documents of
/// several lines, in date order, as an ERP's daily export would have them.
public struct RealisticBook: Sendable {
    public let scenario: RealisticScenario
    public let clients: [RealisticClient]

    private static let nameParts = (
        [
            "Nord", "Alpen", "Rhein", "Baltic", "Iber", "Atlas", "Vega", "Polar", "Delta", "Orion", "Kappa", "Lumen",
            "Sava", "Tauern", "Weser", "Carpat",
        ],
        ["tech", "bau", "metal", "trade", "werk", "logistik", "systems", "industrie", "service", "plast", "agro"],
        ["GmbH", "AG", "Ltd", "S.A.", "s.r.o.", "Oy", "AB", "KG"]
    )
    /// Ready-made SKU codes for each category of `SalesGenerator.categories`, so lines cost no string building.
    private static let skus: [[String]] = SalesGenerator.categories.map { category in
        let prefix = category.prefix(3).uppercased()
        return (100..<500).map { "\(prefix)-\($0)" }
    }

    public init(_ scenario: RealisticScenario) {
        self.scenario = scenario
        clients = (0..<max(0, scenario.clients)).map { RealisticBook.makeClient(index: $0, scenario: scenario) }
    }

    /// The clients that bought at least once in the book.
    public var buyers: [RealisticClient] { clients.filter { !$0.purchaseDays.isEmpty } }

    // MARK: - Clients and their purchase days

    private static func makeClient(index: Int, scenario: RealisticScenario) -> RealisticClient {
        var random = SeededRandom(seed: scenario.seed ^ (UInt64(index + 1) &* 0xD1B5_4A32_D192_ED03))
        let start = scenario.start
        let end = scenario.end

        // The fate first: decliners and slowing clients must be frequent buyers for their change to show.
        enum Kind { case stays, leaves, slows, gradual, sharp, later }
        let kind = random.draw(
            [
                (scenario.leaves, Kind.leaves), (scenario.slowsThenLeaves, .slows),
                (scenario.declinesGradually, .gradual),
                (scenario.declinesSharply, .sharp), (scenario.leavesAfterEnd, .later),
            ], otherwise: .stays)

        // The pattern and its gaps.
        let frequent: [Double] = [7, 7, 10, 14, 14, 21, 30]
        let pattern: BuyingPattern
        switch kind {
        case .slows: pattern = .regular
        case .gradual, .sharp: pattern = random.chance(0.7) ? .regular : .irregular
        default:
            pattern = random.draw(
                [(scenario.irregular, .irregular), (scenario.project, .project), (scenario.seasonal, .seasonal)],
                otherwise: .regular)
        }
        let jitter = 0.9 + 0.2 * random.unit()
        var meanGap: Double
        var gapCV: Double
        var ticket = min(random.pareto(scale: 150, alpha: 1.16), 250_000)
        switch pattern {
        case .regular:
            let menu = kind == .stays || kind == .leaves || kind == .later ? frequent + [30, 45, 60] : frequent
            meanGap = random.pick(menu) * jitter
            gapCV = 0.15 + 0.45 * random.unit()
        case .irregular:
            meanGap = random.pick(kind == .gradual || kind == .sharp ? [10, 14, 21] : [10, 14, 21, 30, 45]) * jitter
            gapCV = 1
        case .project:
            meanGap = 90 + 60 * random.unit()
            gapCV = 0.4 + 0.2 * random.unit()
            ticket = min(ticket * 12, 1_000_000)
        case .seasonal:
            meanGap = random.pick([7, 10, 14, 21, 30]) * jitter
            gapCV = 0.2 + 0.3 * random.unit()
        }
        let ticketCV = 0.3 + 0.3 * random.unit()
        let season = pattern == .seasonal ? scenario.season.lowerBound...scenario.season.upperBound : nil

        // When it starts: most were clients before the book began, some arrive during it.
        let span = start.days(to: end)
        let isNew = random.chance(scenario.newClients) && span > 120
        let firstDue =
            isNew
            ? start.adding(days: 30 + Int(random.unit() * Double(span - 90)))
            : start.adding(days: Int(random.unit() * meanGap))

        // When its fate strikes: late enough for a history, early enough to be seen before the end.
        let earliest = max(start.adding(days: 90), firstDue.adding(days: max(60, Int(2 * meanGap))))
        let latest = end.adding(days: -30)
        func dayBetween(_ low: Day, _ high: Day) -> Day {
            low.adding(days: Int(random.unit() * Double(low.days(to: high) + 1)))
        }
        var fate = RealisticFate.stays
        if kind == .later {
            fate = .leaves(at: end.adding(days: 1 + Int(random.unit() * 180)))
        } else if earliest <= latest {
            switch kind {
            case .stays, .later: break
            case .leaves: fate = .leaves(at: dayBetween(earliest, latest))
            case .slows:
                let months = 90 + Int(random.unit() * 90)
                let from = dayBetween(earliest, max(earliest, latest.adding(days: -months)))
                fate = .slowsThenLeaves(from: from, at: from.adding(days: months), factor: 1.5 + 1.5 * random.unit())
            case .gradual: fate = .declinesGradually(from: dayBetween(earliest, latest), to: 0.2, over: 365)
            case .sharp: fate = .declinesSharply(from: dayBetween(earliest, latest), to: 0.2)
            }
        }

        let categoryCount = 2 + Int(random.next() % 4)
        var categoryIndices: [Int] = []
        while categoryIndices.count < categoryCount {
            let category = Int(random.next() % UInt64(SalesGenerator.categories.count))
            if !categoryIndices.contains(category) { categoryIndices.append(category) }
        }
        // The first categories weigh more: a client has its staples and its occasional buys.
        let weights = (0..<categoryCount).map { 1 / Double($0 + 1) * (0.7 + 0.6 * random.unit()) }
        let name =
            "\(random.pick(nameParts.0))\(random.pick(nameParts.1)) " + random.pick(nameParts.2)
        var client = RealisticClient(
            id: "C" + String(index + 1).leftPadded(to: 6), name: name, manager: random.pick(SalesGenerator.managers),
            region: random.pick(SalesGenerator.regions),
            categories: categoryIndices.map { SalesGenerator.categories[$0] },
            pattern: pattern, meanGapDays: meanGap, gapCV: gapCV, ticket: ticket, ticketCV: ticketCV,
            firstDay: firstDue, isNew: isNew, season: season, fate: fate, purchaseDays: [])
        client.categoryIndices = categoryIndices
        client.categoryWeights = weights
        client.marginRate = 0.15 + 0.2 * random.unit()

        // Its purchases: each gap drawn from its pattern after the last order, each order placed on the first
        // day it can be (a working day, after the shutdown, in its season), some slipping in the holiday month.
        var days: [Day] = []
        var due = firstDue
        let stop = client.dropoutDay
        while true {
            let day = placeOrder(due: due, season: season, scenario: scenario, random: &random)
            if day > end { break }
            if let stop, day >= stop { break }
            days.append(day)
            let gap =
                pattern == .irregular
                ? random.exponential(mean: meanGap) : random.gamma(mean: meanGap, cv: gapCV)
            due = day.adding(days: max(1, Int((gap * client.gapFactor(at: day)).rounded())))
        }
        client.purchaseDays = days
        if let first = days.first { client.firstDay = first }
        return client
    }

    /// The day an order due on `due` is placed: delayed in the holiday month for some, then moved past the
    /// shutdown, into the client's season and off the weekend.
    private static func placeOrder(
        due: Day, season: ClosedRange<Int>?, scenario: RealisticScenario, random: inout SeededRandom
    ) -> Day {
        var day = due
        if let month = scenario.holidayMonth, day.components.month == month, random.chance(scenario.holidayDelayShare) {
            let delay = scenario.holidayDelay
            day = day.adding(days: delay.lowerBound + Int(random.next() % UInt64(delay.count)))
        }
        while true {
            let (year, month, _) = day.components
            if let season, !season.contains(month) {
                let seasonYear = month > season.upperBound ? year + 1 : year
                day = Day(year: seasonYear, month: season.lowerBound, day: 1)!.adding(days: Int(random.next() % 21))
            } else if let shutdown = scenario.shutdown, scenario.isShutdown(day) {
                var reopening = (Day(year: year, month: shutdown.to.month, day: shutdown.to.day) ?? day).adding(days: 1)
                if reopening <= day {
                    reopening = (Day(year: year + 1, month: shutdown.to.month, day: shutdown.to.day) ?? day)
                        .adding(days: 1)
                }
                day = reopening.adding(days: Int(random.next() % 5))
            } else if day.weekday > 5 {
                day = day.adding(days: 8 - day.weekday)
            } else {
                return day
            }
        }
    }

    // MARK: - Lines

    /// Calls `emit` with every line, in date order: each purchase a document of one to several lines over the
    /// client's categories, its size the client's ticket (times its decline) with lognormal noise, a few lines
    /// returned, each with a margin.
    public func generate(_ emit: (SaleLine) throws -> Void) rethrows {
        let start = scenario.start
        let span = start.days(to: scenario.end)
        guard span >= 0 else { return }
        var buckets = [[Int32]](repeating: [], count: span + 1)
        for (index, client) in clients.enumerated() {
            for day in client.purchaseDays { buckets[start.days(to: day)].append(Int32(index)) }
        }
        var random = SeededRandom(seed: scenario.seed &+ 0x5EED_B00C)
        var number = 0
        for offset in 0...span {
            let day = start.adding(days: offset)
            for index in buckets[offset] {
                number += 1
                try emitDocument(number: number, day: day, client: clients[Int(index)], random: &random, emit)
            }
        }
    }

    private func emitDocument(
        number: Int, day: Day, client: RealisticClient, random: inout SeededRandom, _ emit: (SaleLine) throws -> Void
    ) rethrows {
        let document = "INV-" + String(number).leftPadded(to: 8)
        let lines = client.pattern == .project ? 3 + Int(random.next() % 8) : 1 + Int(random.next() % 6)
        // Lognormal with mean 1 and the client's coefficient of variation.
        let sigma = log(1 + client.ticketCV * client.ticketCV).squareRoot()
        let size = random.logNormal(median: exp(-sigma * sigma / 2), sigma: sigma)
        let ticket = client.ticket * client.spendFactor(at: day) * size
        let totalWeight = client.categoryWeights.reduce(0, +)
        for line in 1...lines {
            var pick = random.unit() * totalWeight
            var slot = 0
            while slot < client.categoryWeights.count - 1, pick >= client.categoryWeights[slot] {
                pick -= client.categoryWeights[slot]
                slot += 1
            }
            let category = client.categoryIndices[slot]
            var quantity = Double(1 + Int(random.next() % 24))
            var amount = Money.cents(ticket / Double(lines) * (0.6 + 0.8 * random.unit()))
            if line > 1, random.chance(scenario.returns) {
                quantity = -quantity
                amount = -amount
            }
            let margin = Money.cents(amount.doubleValue * (client.marginRate - 0.05 + 0.1 * random.unit()))
            try emit(
                SaleLine(
                    day: day, clientID: client.id, clientName: client.name, document: document, line: line,
                    sku: RealisticBook.skus[category][Int(random.next() % 400)],
                    category: SalesGenerator.categories[category], quantity: quantity, amount: amount, margin: margin,
                    manager: client.manager, region: client.region))
        }
    }
}

extension SeededRandom {
    /// One of `choices`, each with its probability, or `otherwise` for the probability left.
    mutating func draw<T>(_ choices: [(Double, T)], otherwise: T) -> T {
        var left = unit()
        for (share, choice) in choices {
            if left < share { return choice }
            left -= share
        }
        return otherwise
    }

    /// Exponential with the given mean: the gaps of a Poisson process.
    mutating func exponential(mean: Double) -> Double {
        -mean * log(1 - unit())
    }

    /// Gamma with the given mean and coefficient of variation (Marsaglia and Tsang).
    mutating func gamma(mean: Double, cv: Double) -> Double {
        let shape = 1 / (cv * cv)
        return mean / shape * gamma(shape: shape)
    }

    private mutating func gamma(shape: Double) -> Double {
        if shape < 1 { return gamma(shape: shape + 1) * pow(max(unit(), .leastNonzeroMagnitude), 1 / shape) }
        let d = shape - 1.0 / 3
        let c = 1 / (9 * d).squareRoot()
        while true {
            var x: Double
            var v: Double
            repeat {
                x = normal()
                v = 1 + c * x
            } while v <= 0
            v = v * v * v
            let u = unit()
            if u < 1 - 0.0331 * x * x * x * x || log(u) < 0.5 * x * x + d * (1 - v + log(v)) { return d * v }
        }
    }
}
