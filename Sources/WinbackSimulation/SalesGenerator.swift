import WinbackCore

#if canImport(Glibc)
    import Glibc
#elseif canImport(Darwin)
    import Darwin
#endif

/// What happens to a generated client over the period: the known truth that detection is judged against.
public enum ClientFate: Sendable, Equatable {
    /// Buys at its own rhythm throughout.
    case steady
    /// Buys nothing from `day` on.
    case stops(at: Day)
    /// From `day` on, waits `factor` times longer between purchases.
    case slows(from: Day, factor: Double)
    /// From `day` on, spends `factor` (< 1) of what it did, at the same rhythm.
    case declines(from: Day, factor: Double)
    /// From `day` on, no longer buys `category`, but keeps buying the rest.
    case dropsCategory(at: Day, category: String)
    /// Silent from `stop` until `back`, then buys again.
    case comesBack(stop: Day, back: Day)
    /// Buys once or twice and never again.
    case oneTime
}

/// A generated client: who it is, how it buys, and what will happen to it.
public struct GeneratedClient: Sendable {
    public var id: String
    public var name: String
    public var manager: String
    public var region: String
    /// Typical days between purchases.
    public var rhythmDays: Double
    /// Typical revenue of one document.
    public var ticket: Double
    public var categories: [String]
    public var firstDay: Day
    public var fate: ClientFate
}

/// The shape of a generated sales history.
public struct SalesScenario: Sendable {
    public var clients: Int
    public var start: Day
    public var end: Day
    public var seed: UInt64
    /// Share of clients given each fate other than `steady`; the rest are steady.
    public var stops = 0.08
    public var slows = 0.05
    public var declines = 0.05
    public var dropsCategory = 0.05
    public var comesBack = 0.03
    public var oneTime = 0.03
    /// Share of document lines that are returns.
    public var returns = 0.015
    /// Give the largest client about this share of revenue (0: leave it to the Pareto draw).
    public var dominantShare = 0.12

    public init(clients: Int, start: Day, end: Day, seed: UInt64 = 1) {
        self.clients = clients
        self.start = start
        self.end = end
        self.seed = seed
    }
}

/// Generates a realistic sales history: Pareto-sized clients with their own buying rhythms (weekly to
/// bi-monthly), baskets of several lines over their categories, returns, margins, managers and regions, and
/// clients that stop, slow down, decline, drop a category or come back. Deterministic for a seed.
///
/// Lines come out in date order, documents numbered in sequence, as an ERP's daily export would have them.
public struct SalesGenerator: Sendable {
    public static let categories = [
        "Fasteners", "Tools", "Abrasives", "Adhesives", "Safety", "Electrical", "Hydraulics", "Bearings",
        "Packaging", "Cleaning",
    ]
    public static let regions = ["North", "South", "East", "West", "Central", "Export"]
    public static let managers = [
        "Anna Berg", "Boris Klein", "Chloé Martin", "Dmitri Orlov", "Eva Novák", "Farid Haddad", "Greta Lund",
        "Hugo Silva",
    ]
    private static let nameParts = (
        ["Nord", "Alpen", "Rhein", "Baltic", "Iber", "Atlas", "Vega", "Polar", "Delta", "Orion", "Kappa", "Lumen"],
        ["tech", "bau", "metal", "trade", "werk", "logistik", "systems", "industrie", "service", "plast"],
        ["GmbH", "AG", "Ltd", "S.A.", "s.r.o.", "Oy", "AB", "KG"]
    )

    public let scenario: SalesScenario
    public let clients: [GeneratedClient]

    public init(_ scenario: SalesScenario) {
        self.scenario = scenario
        var random = SeededRandom(seed: scenario.seed)
        var clients: [GeneratedClient] = []
        let span = scenario.start.days(to: scenario.end)
        let rhythms: [Double] = [7, 7, 10, 14, 14, 21, 30, 30, 45, 60]
        for index in 0..<scenario.clients {
            let rhythm = random.pick(rhythms) * (0.85 + 0.3 * random.unit())
            let ticket = min(random.pareto(scale: 150, alpha: 1.16), 250_000)
            let categoryCount = 2 + Int(random.next() % 4)
            var categories: [String] = []
            while categories.count < categoryCount {
                let category = random.pick(SalesGenerator.categories)
                if !categories.contains(category) { categories.append(category) }
            }
            // Most clients were there from the start; some arrive during the period.
            let firstDay =
                random.chance(0.8)
                ? scenario.start.adding(days: Int(random.unit() * rhythm))
                : scenario.start.adding(days: Int(random.unit() * Double(span) * 0.7))
            let fateDay = firstDay.adding(
                days: Int(Double(firstDay.days(to: scenario.end)) * (0.35 + 0.45 * random.unit())))
            let draw = random.unit()
            var threshold = 0.0
            func next(_ share: Double) -> Bool {
                threshold += share
                return draw < threshold
            }
            let fate: ClientFate
            if next(scenario.stops) {
                fate = .stops(at: fateDay)
            } else if next(scenario.slows) {
                fate = .slows(from: fateDay, factor: 2.5 + random.unit() * 2)
            } else if next(scenario.declines) {
                fate = .declines(from: fateDay, factor: 0.2 + 0.3 * random.unit())
            } else if next(scenario.dropsCategory), categories.count >= 3 {
                fate = .dropsCategory(at: fateDay, category: categories[0])
            } else if next(scenario.comesBack) {
                let back = fateDay.adding(days: Int(rhythm * (5 + 3 * random.unit())))
                fate = back < scenario.end.adding(days: -Int(rhythm)) ? .comesBack(stop: fateDay, back: back) : .steady
            } else if next(scenario.oneTime) {
                fate = .oneTime
            } else {
                fate = .steady
            }
            let name =
                "\(random.pick(SalesGenerator.nameParts.0))\(random.pick(SalesGenerator.nameParts.1)) "
                + random.pick(SalesGenerator.nameParts.2)
            clients.append(
                GeneratedClient(
                    id: "C" + String(index + 1).leftPadded(to: 6), name: name,
                    manager: random.pick(SalesGenerator.managers), region: random.pick(SalesGenerator.regions),
                    rhythmDays: rhythm, ticket: ticket, categories: categories, firstDay: firstDay, fate: fate))
        }
        if scenario.dominantShare > 0, !clients.isEmpty {
            // One client the company depends on: a ticket large enough to carry about `dominantShare` of revenue.
            let total = clients.reduce(0.0) { $0 + $1.ticket / $1.rhythmDays }
            let target = scenario.dominantShare / (1 - scenario.dominantShare) * total
            clients[0].rhythmDays = 7
            clients[0].ticket = target * 7
            clients[0].fate = .steady
            clients[0].firstDay = scenario.start
        }
        self.clients = clients
    }

    /// Calls `emit` with every line, in date order.
    public func generate(_ emit: (SaleLine) throws -> Void) rethrows {
        var random = SeededRandom(seed: scenario.seed &+ 0x5EED)
        let span = scenario.start.days(to: scenario.end)
        guard span >= 0 else { return }
        // Buckets of client indices by the day of their next purchase.
        var buckets = [[Int32]](repeating: [], count: span + 1)
        var purchases = [Int](repeating: 0, count: clients.count)
        for (index, client) in clients.enumerated() where client.firstDay <= scenario.end {
            buckets[scenario.start.days(to: client.firstDay)].append(Int32(index))
        }
        var documentNumber = 0
        for offset in 0...span {
            let day = scenario.start.adding(days: offset)
            let today = buckets[offset]
            buckets[offset] = []
            for index32 in today {
                let index = Int(index32)
                let client = clients[index]
                var rhythm = client.rhythmDays
                var spend = 1.0
                var categories = client.categories
                var buys = true
                var nextDay: Day?
                switch client.fate {
                case .steady: break
                case .stops(let at): buys = day < at
                case .slows(let from, let factor): if day >= from { rhythm *= factor }
                case .declines(let from, let factor): if day >= from { spend = factor }
                case .dropsCategory(let at, let category):
                    if day >= at { categories.removeAll { $0 == category } }
                case .comesBack(let stop, let back):
                    if day >= stop, day < back {
                        buys = false
                        nextDay = back
                    }
                case .oneTime: buys = purchases[index] < 1 + Int(random.next() % 2)
                }
                if buys {
                    purchases[index] += 1
                    documentNumber += 1
                    try emitDocument(
                        number: documentNumber, day: day, client: client, categories: categories, spend: spend,
                        random: &random, emit)
                } else if nextDay == nil {
                    continue  // stopped for good
                }
                // The next purchase: the rhythm with a realistic spread, never the same day.
                let gap = max(1, Int((rhythm * (1 + 0.18 * random.normal())).rounded()))
                let next = nextDay ?? day.adding(days: gap)
                if next <= scenario.end {
                    buckets[scenario.start.days(to: next)].append(index32)
                }
            }
        }
    }

    private func emitDocument(
        number: Int, day: Day, client: GeneratedClient, categories: [String], spend: Double,
        random: inout SeededRandom, _ emit: (SaleLine) throws -> Void
    ) rethrows {
        let document = "INV-" + String(number).leftPadded(to: 8)
        let lines = 1 + Int(random.next() % 6)
        let ticket = client.ticket * spend * random.logNormal(median: 1, sigma: 0.35)
        for line in 1...lines {
            let category = random.pick(categories)
            let skuNumber = 100 + Int(random.next() % 400)
            var quantity = Double(1 + Int(random.next() % 24))
            var amount = Money.cents(ticket / Double(lines) * (0.6 + 0.8 * random.unit()))
            if random.chance(scenario.returns) {
                quantity = -quantity
                amount = -amount
            }
            let margin = Money.cents(amount.doubleValue * (0.18 + 0.17 * random.unit()))
            try emit(
                SaleLine(
                    day: day, clientID: client.id, clientName: client.name, document: document, line: line,
                    sku: "\(category.prefix(3).uppercased())-\(skuNumber)", category: category,
                    quantity: quantity, amount: amount, margin: margin, manager: client.manager,
                    region: client.region))
        }
    }
}

extension Money {
    /// The nearest whole number of cents: what an invoice line carries.
    static func cents(_ value: Double) -> Money {
        Money(scaled: Int64((value * 100).rounded()) * (Money.scale / 100))
    }
}
