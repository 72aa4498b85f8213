/// The directions failures are counted by.
public enum FailureDimension: String, Sendable, CaseIterable, Codable {
    /// Everything together (one direction, "all").
    case all
    case category, region, manager
    /// ABC class.
    case `class`
}

/// One client's part in the failure accounting of a scan.
public struct FailureInput: Sendable {
    public var status: ClientStatus
    public var previous: ClientStatus?
    public var abc: ABCClass
    public var region: String?
    public var manager: String?
    /// The categories it buys regularly, each with its share of the client's revenue among them: the directions
    /// its loss is counted in (in each), and how its revenue at risk is split (by share).
    public var categories: [(category: String, share: Double)]
    public var droppedCategories: [String]
    public var yearlyValue: Money

    public init(
        status: ClientStatus, previous: ClientStatus?, abc: ABCClass, region: String?, manager: String?,
        categories: [(category: String, share: Double)], droppedCategories: [String], yearlyValue: Money
    ) {
        self.status = status
        self.previous = previous
        self.abc = abc
        self.region = region
        self.manager = manager
        self.categories = categories
        self.droppedCategories = droppedCategories
        self.yearlyValue = yearlyValue
    }
}

/// Failures counted in one direction on one scan day.
public struct FailureCounts: Sendable, Equatable {
    public var clients = 0
    public var active = 0
    public var atRisk = 0
    public var lost = 0
    public var wonBack = 0
    public var new = 0
    /// Status changes in this scan: clients that became at risk, became lost, came back.
    public var becameAtRisk = 0
    public var becameLost = 0
    public var cameBack = 0
    /// Categories clients stopped buying: in a category's direction, the clients that dropped it; in the other
    /// dimensions, the drops of the clients counted there.
    public var categoryDrops = 0
    /// The yearly value of the clients at risk or lost.
    public var revenueAtRisk = Money.zero

    public init() {}

    /// The counts of two groups of clients together (one manager's clients under two spellings of the name).
    public static func + (lhs: FailureCounts, rhs: FailureCounts) -> FailureCounts {
        var sum = lhs
        sum.clients += rhs.clients
        sum.active += rhs.active
        sum.atRisk += rhs.atRisk
        sum.lost += rhs.lost
        sum.wonBack += rhs.wonBack
        sum.new += rhs.new
        sum.becameAtRisk += rhs.becameAtRisk
        sum.becameLost += rhs.becameLost
        sum.cameBack += rhs.cameBack
        sum.categoryDrops += rhs.categoryDrops
        sum.revenueAtRisk = sum.revenueAtRisk + rhs.revenueAtRisk
        return sum
    }
}

/// Counts a scan's failures overall and by direction.
public enum FailureAccounting {
    /// FailureDimension → direction → counts. Clients without a value for a dimension count under "(none)".
    ///
    /// A client counts once in every dimension but category, where it counts in each category it buys regularly
    /// (so the category rows may add up to more clients than the book has), and its revenue at risk is split among
    /// them by its revenue share, so that they add up to the total.
    public static func count(_ inputs: [FailureInput]) -> [FailureDimension: [String: FailureCounts]] {
        var result: [FailureDimension: [String: FailureCounts]] = [:]
        for input in inputs {
            let categories = input.categories.isEmpty ? [("(none)", 1.0)] : input.categories.map { ($0.category, $0.share) }
            var directions: [(FailureDimension, String, share: Double)] = [
                (.all, "all", 1), (.class, input.abc.rawValue, 1), (.region, input.region ?? "(none)", 1),
                (.manager, input.manager ?? "(none)", 1),
            ]
            directions += categories.map { (.category, $0.0, $0.1) }
            for (dimension, direction, share) in directions {
                var counts = result[dimension, default: [:]][direction, default: FailureCounts()]
                counts.clients += 1
                switch input.status {
                case .active: counts.active += 1
                case .atRisk: counts.atRisk += 1
                case .lost: counts.lost += 1
                case .wonBack: counts.wonBack += 1
                case .new: counts.new += 1
                }
                if input.status != input.previous {
                    if input.status == .atRisk { counts.becameAtRisk += 1 }
                    if input.status == .lost { counts.becameLost += 1 }
                    if input.status == .wonBack { counts.cameBack += 1 }
                }
                if input.status.isFailing {
                    let value = max(input.yearlyValue, .zero)
                    counts.revenueAtRisk = counts.revenueAtRisk
                        + (share == 1 ? value : Money(approximately: value.doubleValue * share))
                }
                if dimension != .category { counts.categoryDrops += input.droppedCategories.count }
                result[dimension, default: [:]][direction] = counts
            }
            for category in Set(input.droppedCategories) {
                result[.category, default: [:]][category, default: FailureCounts()].categoryDrops += 1
            }
        }
        return result
    }

    /// The categories a client's failures count in: those bought on at least `minShare` of its purchase days (the
    /// most regular one when none is), with each one's share of their revenue.
    public static func directions(_ categories: [ClientFacts.CategoryStat], minShare: Double)
        -> [(category: String, share: Double)]
    {
        var regular = categories.filter { $0.share >= minShare }
        if regular.isEmpty, let first = categories.first { regular = [first] }
        let total = regular.reduce(0.0) { $0 + max($1.revenue.doubleValue, 0) }
        return regular.map { stat in
            (stat.category, total > 0 ? max(stat.revenue.doubleValue, 0) / total : 1 / Double(regular.count))
        }
    }
}
