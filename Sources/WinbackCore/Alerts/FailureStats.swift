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
    /// The category it buys most regularly: the direction its loss is counted in.
    public var mainCategory: String?
    public var droppedCategories: [String]
    public var yearlyValue: Money

    public init(
        status: ClientStatus, previous: ClientStatus?, abc: ABCClass, region: String?, manager: String?,
        mainCategory: String?, droppedCategories: [String], yearlyValue: Money
    ) {
        self.status = status
        self.previous = previous
        self.abc = abc
        self.region = region
        self.manager = manager
        self.mainCategory = mainCategory
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
    /// Clients that stopped buying a category (counted in that category's direction).
    public var categoryDrops = 0
    /// The yearly value of the clients at risk or lost.
    public var revenueAtRisk = Money.zero

    public init() {}
}

/// Counts a scan's failures overall and by direction.
public enum FailureAccounting {
    /// FailureDimension → direction → counts. Clients without a value for a dimension count under "(none)".
    public static func count(_ inputs: [FailureInput]) -> [FailureDimension: [String: FailureCounts]] {
        var result: [FailureDimension: [String: FailureCounts]] = [:]
        for input in inputs {
            let directions: [(FailureDimension, String)] = [
                (.all, "all"), (.class, input.abc.rawValue), (.region, input.region ?? "(none)"),
                (.manager, input.manager ?? "(none)"), (.category, input.mainCategory ?? "(none)"),
            ]
            for (dimension, direction) in directions {
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
                if input.status == .atRisk || input.status == .lost {
                    counts.revenueAtRisk = counts.revenueAtRisk + max(input.yearlyValue, .zero)
                }
                result[dimension, default: [:]][direction] = counts
            }
            for category in input.droppedCategories {
                result[.category, default: [:]][category, default: FailureCounts()].categoryDrops += 1
                result[.all, default: [:]]["all", default: FailureCounts()].categoryDrops += 1
            }
        }
        return result
    }
}
