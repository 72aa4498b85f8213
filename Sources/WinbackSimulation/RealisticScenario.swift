import WinbackCore

/// A day of the year without the year: where a yearly closure starts and ends.
public struct MonthDay: Sendable, Equatable, Comparable {
    public var month: Int
    public var day: Int

    public init(month: Int, day: Int) {
        self.month = month
        self.day = day
    }

    public init(_ day: Day) {
        let (_, month, dayOfMonth) = day.components
        self.init(month: month, day: dayOfMonth)
    }

    public static func < (lhs: MonthDay, rhs: MonthDay) -> Bool {
        (lhs.month, lhs.day) < (rhs.month, rhs.day)
    }
}

/// How a client of a realistic book buys: the shape of the gaps between its orders.
public enum BuyingPattern: String, Sendable, CaseIterable {
    /// Gamma-distributed gaps, from very regular (CV 0.15) to loose (CV 0.6), weekly to bi-monthly.
    case regular
    /// Exponential gaps (CV 1): orders come like a Poisson process, with no rhythm to speak of.
    case irregular
    /// A few big orders a year: gaps of three to five months (CV 0.5) and large tickets.
    case project
    /// Buys only in its season (March to October by default), for years, and comes back every March.
    case seasonal
}

/// What happens to a client of a realistic book: the known truth detection is judged against.
public enum RealisticFate: Sendable, Equatable {
    /// Keeps buying at its rhythm.
    case stays
    /// Buys nothing from `at` on. When `at` lies after the end of the book the client is alive throughout it.
    case leaves(at: Day)
    /// From `from`, its gaps lengthen steadily until they are `factor` times longer at `at`; it buys nothing
    /// from `at` on.
    case slowsThenLeaves(from: Day, at: Day, factor: Double)
    /// From `from`, spends steadily less at the same rhythm, down to `to` (a share) `over` days later.
    case declinesGradually(from: Day, to: Double, over: Int)
    /// From `from` on, spends `to` (a share) of what it did, at the same rhythm.
    case declinesSharply(from: Day, to: Double)
}

/// The shape of a realistic book: its size, its calendar and the shares of each kind of client.
///
/// Shares of buying patterns and of fates are drawn independently (a seasonal client may leave), except that
/// decliners and slowing clients are always frequent buyers (regular or irregular, weekly to monthly), so that
/// their change shows within months.
public struct RealisticScenario: Sendable {
    public var clients: Int
    public var start: Day
    public var end: Day
    public var seed: UInt64

    /// Share of clients of each pattern other than `regular`; the rest are regular.
    public var irregular = 0.15
    public var project = 0.08
    public var seasonal = 0.10
    /// Share of clients whose first purchase comes during the book rather than at its start.
    public var newClients = 0.15

    /// Share of clients given each fate other than `stays`; the rest stay.
    public var leaves = 0.08
    public var slowsThenLeaves = 0.04
    public var declinesGradually = 0.04
    public var declinesSharply = 0.03
    /// Clients that leave after the end of the book: alive at every day of it, whatever comes later.
    public var leavesAfterEnd = 0.05

    /// Nobody orders from the first to the last of these days (wrapping over the new year); orders due then
    /// are placed in the days after.
    public var shutdown: (from: MonthDay, to: MonthDay)? = (MonthDay(month: 12, day: 23), MonthDay(month: 1, day: 6))
    /// The holiday month, and the share of its orders that slip by `holidayDelay` days.
    public var holidayMonth: Int? = 8
    public var holidayDelayShare = 0.6
    public var holidayDelay = 7...21
    /// The months seasonal clients buy in (within one calendar year, 1 to 12).
    public var season = 3...10
    /// Share of document lines after the first that are returns.
    public var returns = 0.015

    public init(clients: Int, start: Day, end: Day, seed: UInt64 = 1) {
        self.clients = clients
        self.start = start
        self.end = end
        self.seed = seed
    }

    /// Whether nobody orders on `day` because of the year-end shutdown.
    public func isShutdown(_ day: Day) -> Bool {
        guard let shutdown else { return false }
        let date = MonthDay(day)
        if shutdown.from <= shutdown.to { return shutdown.from <= date && date <= shutdown.to }
        return date >= shutdown.from || date <= shutdown.to
    }

    /// Whether an order can be placed on `day`: Monday to Friday, outside the shutdown.
    public func isWorkingDay(_ day: Day) -> Bool {
        day.weekday <= 5 && !isShutdown(day)
    }
}

/// A client of a realistic book, with the whole truth about it: how it buys, what happens to it, and the
/// days it bought on.
public struct RealisticClient: Sendable {
    public var id: String
    public var name: String
    public var manager: String
    public var region: String
    /// The categories it buys, the first ones more often.
    public var categories: [String]
    public var pattern: BuyingPattern
    /// The mean of the gaps it draws between orders, in calendar days (before weekends, the shutdown, the
    /// holiday month and its off-season push orders later).
    public var meanGapDays: Double
    /// The coefficient of variation of those gaps (1 for irregular buyers).
    public var gapCV: Double
    /// The mean revenue of one order before any decline, and the coefficient of variation of order sizes.
    public var ticket: Double
    public var ticketCV: Double
    /// Its first purchase day, and whether that came during the book (a new client) rather than at its start.
    public var firstDay: Day
    public var isNew: Bool
    /// The months it buys in, for a seasonal client.
    public var season: ClosedRange<Int>?
    public var fate: RealisticFate
    /// Every day it bought on, in order: what the generated lines contain.
    public var purchaseDays: [Day]

    var categoryIndices: [Int] = []
    var categoryWeights: [Double] = []
    var marginRate = 0.25

    /// The day from which it buys nothing, if it leaves (possibly after the end of the book).
    public var dropoutDay: Day? {
        switch fate {
        case .leaves(let at), .slowsThenLeaves(_, let at, _): return at
        default: return nil
        }
    }

    /// Whether it has not left by `day`.
    public func isAlive(at day: Day) -> Bool {
        guard let dropoutDay else { return true }
        return day < dropoutDay
    }

    public var isSeasonal: Bool { season != nil }

    /// Whether `day` falls outside its season (always false for a client that is not seasonal).
    public func isOffSeason(at day: Day) -> Bool {
        guard let season else { return false }
        return !season.contains(day.components.month)
    }

    /// The day its spend starts falling, if it declines.
    public var declineStart: Day? {
        switch fate {
        case .declinesGradually(let from, _, _), .declinesSharply(let from, _): return from
        default: return nil
        }
    }

    public var isDecliner: Bool { declineStart != nil }

    /// The share of its normal spend it spends on `day` (1 unless it declines).
    public func spendFactor(at day: Day) -> Double {
        switch fate {
        case .declinesSharply(let from, let to): return day >= from ? to : 1
        case .declinesGradually(let from, let to, let over):
            guard day >= from else { return 1 }
            let progress = min(1, Double(from.days(to: day)) / Double(max(1, over)))
            return 1 - (1 - to) * progress
        default: return 1
        }
    }

    /// How many times longer than usual its gaps are on `day` (1 unless it slows before leaving).
    public func gapFactor(at day: Day) -> Double {
        guard case .slowsThenLeaves(let from, let at, let factor) = fate, day >= from else { return 1 }
        let progress = min(1, Double(from.days(to: day)) / Double(max(1, from.days(to: at))))
        return 1 + (factor - 1) * progress
    }

    /// Its last purchase on or before `day`.
    public func lastPurchase(onOrBefore day: Day) -> Day? {
        let index = firstIndex(after: day)
        return index > 0 ? purchaseDays[index - 1] : nil
    }

    /// Its first purchase after `day`.
    public func nextPurchase(after day: Day) -> Day? {
        let index = firstIndex(after: day)
        return index < purchaseDays.count ? purchaseDays[index] : nil
    }

    /// Whether it buys again in the `horizon` days after `day`, as the generated data has it.
    public func buysAgain(after day: Day, within horizon: Int) -> Bool {
        guard let next = nextPurchase(after: day) else { return false }
        return day.days(to: next) <= horizon
    }

    /// How long it has been gone on `day`: days since its dropout day, counting for a seasonal client only the
    /// days of its season (nobody can miss it in winter). `nil` while it is alive.
    public func goneDays(at day: Day) -> Int? {
        guard let dropoutDay, dropoutDay <= day else { return nil }
        guard let season else { return dropoutDay.days(to: day) }
        var count = 0
        var current = dropoutDay
        while current < day {
            if season.contains(current.components.month) { count += 1 }
            current = current.adding(days: 1)
        }
        return count
    }

    /// Where it stands on `day`, in a few words for tables: `left`, `slowed, left`, `declining sharply`,
    /// `declining slowly`, `slowing`, `leaves later` (alive, but will leave), or `stays` and its pattern.
    public func state(at day: Day) -> String {
        switch fate {
        case .leaves(let at) where at <= day: return "left"
        case .slowsThenLeaves(_, let at, _) where at <= day: return "slowed, left"
        case .slowsThenLeaves(let from, _, _) where from <= day: return "slowing"
        case .leaves, .slowsThenLeaves: return "leaves later"
        case .declinesSharply(let from, _) where from <= day: return "declining sharply"
        case .declinesGradually(let from, _, _) where from <= day: return "declining slowly"
        default: return "stays, " + pattern.rawValue
        }
    }

    private func firstIndex(after day: Day) -> Int {
        var low = 0
        var high = purchaseDays.count
        while low < high {
            let middle = (low + high) / 2
            if purchaseDays[middle] <= day { low = middle + 1 } else { high = middle }
        }
        return low
    }
}
