/// What winback knows about one client on one day: the numbers every criterion and every explanation uses.
public struct ClientFacts: Sendable, Equatable {
    public var clientID: String
    public var asOf: Day
    public var firstPurchase: Day?
    public var lastPurchase: Day?
    /// Days with a purchase, ever (up to `asOf`).
    public var purchaseDays: Int
    /// The typical gap between purchase days: the median of the most recent gaps; nil with too little history.
    public var rhythm: Double?
    /// How much the gaps vary around it: the median absolute deviation, scaled to match a standard deviation.
    public var spread: Double?
    /// The last purchase plus the rhythm.
    public var expectedNextPurchase: Day?
    /// The months the client does not buy in, when it is seasonal.
    public var season: Season?
    /// Its most recent gaps in its own working time (the book's calendar, without its off-season); nil with one
    /// purchase.
    public var gaps: GapSample?
    /// Working time from the last purchase to `asOf`, and over the next `p_alive.horizon_days`, in the same time.
    public var silentTime: Double?
    public var horizonTime: Double = 0
    /// Days since the last purchase.
    public var daysSilent: Int?
    /// Net revenue and margin over the classes window (365 days by default).
    public var revenue: Money
    public var margin: Money?
    /// Whether every day with revenue in the window carried a margin.
    public var marginComplete: Bool
    /// Net revenue over the 365 days up to the last purchase: what the client was worth a year before it went quiet.
    public var yearlyValue: Money
    /// Mean spend of the purchase days after the first (the Gamma-Gamma model's input); nil without repeats.
    public var meanRepeatValue: Money?
    /// How much its purchase days' spend varies (coefficient of variation; 0.5 with fewer than three).
    public var orderVariation: Double = 0.5

    /// The client as the buy-till-you-die models see it, in days.
    public var repeatSummary: RepeatSummary? {
        RepeatSummary(first: firstPurchase, last: lastPurchase, count: purchaseDays, asOf: asOf)
    }
    /// Net revenue of each whole calendar month before `asOf`'s month, oldest first.
    public var monthlyRevenue: [Money]
    /// Months of `monthlyRevenue` after the client's first purchase (the others say nothing about regularity).
    public var activeMonths: Int
    /// The categories the client bought, most regular first.
    public var categories: [CategoryStat]
    /// Returns over the returns window, and what was bought in it.
    public var recentReturns: Money
    public var recentGross: Money

    /// How often the client's purchase days have included a category.
    public struct CategoryStat: Sendable, Equatable {
        public var category: String
        /// Purchase days with the category, in the lookback before its last purchase.
        public var purchases: Int
        /// Those as a share of all purchase days in the same span.
        public var share: Double
        public var lastPurchase: Day
        /// The client's purchase days after `lastPurchase`: the run without this category.
        public var purchasesSince: Int
        /// What was spent on it in the same span.
        public var revenue: Money

        public init(
            category: String, purchases: Int, share: Double, lastPurchase: Day, purchasesSince: Int,
            revenue: Money = .zero
        ) {
            self.category = category
            self.purchases = purchases
            self.share = share
            self.lastPurchase = lastPurchase
            self.purchasesSince = purchasesSince
            self.revenue = revenue
        }
    }

    /// Silence measured in typical gaps.
    public var silenceRatio: Double? {
        guard let rhythm, rhythm > 0, let daysSilent else { return nil }
        return Double(daysSilent) / rhythm
    }
}

extension ClientFacts {
    /// Computes the facts of `history` as of `asOf`, using nothing dated later; silence and gaps are measured in
    /// `calendar`'s working time (every day counts fully without one).
    public init(history: ClientHistory, asOf: Day, settings: ChurnSettings, calendar: BusinessCalendar? = nil) {
        let known = history.known(asOf: asOf)
        let days = known.days
        // The purchase days and what was bought on each (the days themselves are not copied).
        var dates: [Day] = []
        var bought: [Money] = []
        dates.reserveCapacity(days.count)
        bought.reserveCapacity(days.count)
        for day in days where day.isPurchase {
            dates.append(day.day)
            bought.append(day.gross)
        }
        clientID = history.clientID
        self.asOf = asOf
        firstPurchase = dates.first
        lastPurchase = dates.last
        purchaseDays = dates.count
        daysSilent = lastPurchase.map { $0.days(to: asOf) }

        // Rhythm: median of the last gaps, robust to one long holiday or one rush order.
        rhythm = nil
        spread = nil
        expectedNextPurchase = nil
        if dates.count >= 3 {
            let recent = dates.suffix(settings.overdue.maxGaps + 1)
            let gaps = zip(recent, recent.dropFirst()).map { Double($0.days(to: $1)) }
            let median = Statistics.median(gaps)
            rhythm = median
            spread = 1.4826 * Statistics.median(gaps.map { abs($0 - median) })
            expectedNextPurchase = lastPurchase!.adding(days: Int(median.rounded()))
        }
        season = settings.seasons ? Season.detect(dates) : nil
        let off = season?.offMonths ?? []
        let calendar = calendar ?? .plain(from: dates.first ?? asOf, through: asOf)
        let recentDays = dates.suffix(settings.overdue.maxGaps + 1)
        gaps = GapSample(
            zip(recentDays, recentDays.dropFirst()).map { calendar.time(after: $0, through: $1, excluding: off) })
        silentTime = lastPurchase.map { calendar.time(after: $0, through: asOf, excluding: off) }
        horizonTime = calendar.time(
            after: asOf, through: asOf.adding(days: settings.pAlive.horizonDays), excluding: off)

        // Revenue and margin over the classes window.
        let windowStart = asOf.adding(days: -settings.classes.windowDays + 1)
        var revenue = Money.zero
        var margin = Money.zero
        var marginComplete = true
        for day in days where day.day >= windowStart {
            revenue = revenue + day.net
            if let dayMargin = day.margin {
                margin = margin + dayMargin
            } else if day.net != .zero {
                marginComplete = false
            }
        }
        self.revenue = revenue
        self.margin = marginComplete ? margin : nil
        self.marginComplete = marginComplete
        var yearly = Money.zero
        if let lastPurchase {
            let from = lastPurchase.adding(days: -364)
            for day in days.reversed() {
                guard day.day >= from else { break }
                yearly = yearly + day.net
            }
        }
        yearlyValue = yearly
        if dates.count > 1 {
            let total = bought.dropFirst().reduce(Money.zero) { $0 + $1 }
            meanRepeatValue = Money(scaled: total.scaled / Int64(dates.count - 1))
        } else {
            meanRepeatValue = nil
        }

        let spends = bought.suffix(50).map { max($0.doubleValue, 0) }
        if spends.count >= 3, let variation = Statistics.coefficientOfVariation(spends) { orderVariation = variation }

        // Monthly revenue of whole calendar months before the scan's month.
        let (year, month, _) = asOf.components
        let months = settings.classes.xyzMonths
        let firstMonth = year * 12 + (month - 1) - months
        let firstMonthStart = Day(year: firstMonth / 12, month: firstMonth % 12 + 1, day: 1)!
        var monthly = [Money](repeating: .zero, count: months)
        for day in days.reversed() {
            guard day.day >= firstMonthStart else { break }
            let (y, m, _) = day.day.components
            let index = y * 12 + (m - 1) - firstMonth
            if index < months { monthly[index] = monthly[index] + day.net }
        }
        monthlyRevenue = monthly
        if let firstPurchase {
            let (y, m, _) = firstPurchase.components
            activeMonths = max(0, min(months, firstMonth + months - (y * 12 + m - 1)))
        } else {
            activeMonths = 0
        }

        categories = ClientFacts.categoryStats(known, lookbackDays: settings.categoryDrop.lookbackDays)

        let returnsStart = asOf.adding(days: -settings.returns.windowDays + 1)
        var recentReturns = Money.zero
        var recentGross = Money.zero
        for day in days where day.day >= returnsStart {
            recentReturns = recentReturns + day.returns
            recentGross = recentGross + day.gross
        }
        self.recentReturns = recentReturns
        self.recentGross = recentGross
    }

    /// The category statistics of `history`'s purchase days (nothing after its last day counts), from the days'
    /// own categories or from their flat form alike.
    private static func categoryStats(_ history: ClientHistory, lookbackDays: Int) -> [CategoryStat] {
        // Categories by number, and each purchase's (number, amount) in one flat list: the passes below compare
        // numbers, not names. Names are numbered as they first appear, by Swift's `==` (two spellings of one name
        // are one category), whichever form the days come in.
        var names: [String] = []
        var numbers: [String: Int] = [:]
        var purchaseDays: [Day] = []
        var itemsStart: [Int] = []
        var itemCategory: [Int] = []
        var itemAmount: [Money] = []
        var lastIndex: [Int] = []
        func number(_ name: String) -> Int {
            if let known = numbers[name] { return known }
            numbers[name] = names.count
            names.append(name)
            lastIndex.append(0)
            return names.count - 1
        }
        let flat = history.flatCategories
        // The flat form's names, numbered when first met. A record's names differ by their bytes; when a few are all
        // ASCII and differ (a damaged record might repeat one), they differ by Swift's `==` too, and none need
        // looking up.
        var flatNumbers = [Int](repeating: -1, count: flat?.names.count ?? 0)
        let distinct =
            flat.map { flat in
                let names = flat.names
                return names.count <= 16 && names.allSatisfy { $0.utf8.allSatisfy { $0 < 0x80 } }
                    && names.indices.allSatisfy { index in !names[..<index].contains(names[index]) }
            } ?? false
        purchaseDays.reserveCapacity(history.days.count)
        itemsStart.reserveCapacity(history.days.count + 1)
        if let flat {
            itemCategory.reserveCapacity(flat.items.count)
            itemAmount.reserveCapacity(flat.items.count)
        }
        for (dayIndex, day) in history.days.enumerated() where day.isPurchase {
            let index = purchaseDays.count
            purchaseDays.append(day.day)
            itemsStart.append(itemCategory.count)
            if let flat {
                for item in Int(flat.starts[dayIndex])..<Int(flat.starts[dayIndex + 1]) {
                    let name = Int(flat.items[item])
                    if flatNumbers[name] < 0 {
                        if distinct {
                            flatNumbers[name] = names.count
                            names.append(flat.names[name])
                            lastIndex.append(0)
                        } else {
                            flatNumbers[name] = number(flat.names[name])
                        }
                    }
                    itemCategory.append(flatNumbers[name])
                    itemAmount.append(Money(scaled: flat.amounts[item]))
                    lastIndex[flatNumbers[name]] = index
                }
            } else {
                for item in day.categories {
                    let category = number(item.category)
                    itemCategory.append(category)
                    itemAmount.append(item.amount)
                    lastIndex[category] = index
                }
            }
        }
        itemsStart.append(itemCategory.count)
        var stats: [CategoryStat] = []
        stats.reserveCapacity(names.count)
        for (category, last) in lastIndex.enumerated() {
            let lastDay = purchaseDays[last]
            let from = lastDay.adding(days: -lookbackDays)
            var inSpan = 0
            var with = 0
            var revenue = Money.zero
            for index in stride(from: last, through: 0, by: -1) {
                guard purchaseDays[index] > from else { break }
                inSpan += 1
                // The first item of the category that day.
                let items = itemsStart[index]..<itemsStart[index + 1]
                if let item = items.first(where: { itemCategory[$0] == category }) {
                    with += 1
                    revenue = revenue + itemAmount[item]
                }
            }
            stats.append(
                CategoryStat(
                    category: names[category], purchases: with, share: Double(with) / Double(max(inSpan, 1)),
                    lastPurchase: lastDay, purchasesSince: purchaseDays.count - 1 - last, revenue: revenue))
        }
        return stats.sorted { ($0.share, $1.category) > ($1.share, $0.category) }
    }
}

/// Small statistics on plain arrays.
public enum Statistics {
    /// The median; 0 for an empty collection. Sorted in a temporary buffer (on the stack when small): a scan takes
    /// millions of medians of a few numbers each.
    public static func median<Values: Collection<Double>>(_ values: Values) -> Double {
        let count = values.count
        guard count > 0 else { return 0 }
        return withUnsafeTemporaryAllocation(of: Double.self, capacity: count) { buffer in
            var buffer = buffer
            _ = buffer.initialize(from: values)
            buffer.sort()
            let middle = count / 2
            return count % 2 == 1 ? buffer[middle] : (buffer[middle - 1] + buffer[middle]) / 2
        }
    }

    /// Population coefficient of variation (standard deviation over mean); nil when the mean is not positive.
    public static func coefficientOfVariation(_ values: [Double]) -> Double? {
        guard !values.isEmpty else { return nil }
        let mean = values.reduce(0, +) / Double(values.count)
        guard mean > 0 else { return nil }
        let variance = values.reduce(0) { $0 + ($1 - mean) * ($1 - mean) } / Double(values.count)
        return variance.squareRoot() / mean
    }
}
