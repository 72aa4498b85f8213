/// What a client did on one day: the sum of that day's lines, and the categories it bought.
public struct ActivityDay: Sendable, Equatable {
    public var day: Day
    /// Sum of all amounts, returns included.
    public var net: Money
    /// Sum of the positive amounts: what was bought.
    public var gross: Money
    /// Sum of the negative amounts, as a positive number: what was returned or credited.
    public var returns: Money
    /// Sum of the margins, when the lines carried one.
    public var margin: Money?
    /// Categories bought that day (positive lines only), with what was spent on each.
    public var categories: [CategoryAmount]

    public init(
        day: Day, net: Money, gross: Money, returns: Money, margin: Money? = nil, categories: [CategoryAmount] = []
    ) {
        self.day = day
        self.net = net
        self.gross = gross
        self.returns = returns
        self.margin = margin
        self.categories = categories
    }

    /// A day on which the client bought something: a positive line, or only lines of zero (free goods, samples).
    /// A day of returns only is not a purchase. (The store's queries over sales lines say the same in SQL:
    /// `Aggregates.purchaseDay`.)
    public var isPurchase: Bool { gross > .zero || returns == .zero }
}

/// Spending on one category (a product group: a "direction") on one day.
public struct CategoryAmount: Sendable, Equatable {
    public var category: String
    public var amount: Money

    public init(category: String, amount: Money) {
        self.category = category
        self.amount = amount
    }
}

/// The categories of a history's days in one flat form: each name once, and per day the range of its (name,
/// amount) items, in the order the day's categories are stored. Criteria see the same categories as when each day
/// carries its own.
public struct CategoryItems: Sendable, Equatable {
    /// Each name once, by its bytes (two spellings Swift takes for one name are two entries here).
    public var names: [String] = []
    /// Day `d`'s items are `starts[d]..<starts[d + 1]`: one entry more than the days.
    public var starts: [Int32] = [0]
    /// Each item's index in `names`, and its amount.
    public var items: [Int32] = []
    public var amounts: [Int64] = []

    public init() {}

    /// Adds one category to the day under way.
    public mutating func add(name: Int, amount: Int64) {
        items.append(Int32(truncatingIfNeeded: name))
        amounts.append(amount)
    }

    /// Ends the day under way: the items added since the last one are its categories.
    public mutating func endDay() {
        starts.append(Int32(truncatingIfNeeded: items.count))
    }

    /// The categories of the first `days` days.
    func prefix(days: Int) -> CategoryItems {
        guard days + 1 < starts.count else { return self }
        var out = self
        out.starts.removeSubrange((days + 1)...)
        let end = Int(out.starts[days])
        out.items.removeSubrange(end...)
        out.amounts.removeSubrange(end...)
        return out
    }
}

/// One client's activity, day by day, in date order: the input of every criterion.
public struct ClientHistory: Sendable, Equatable {
    public var clientID: String
    public var days: [ActivityDay]
    /// The days' categories in one flat form, when the store read them so: then the days carry none. A scan reads
    /// 100,000 histories; an array of categories per day was a third of its reading.
    public var flatCategories: CategoryItems?

    public init(clientID: String, days: [ActivityDay], flatCategories: CategoryItems? = nil) {
        self.clientID = clientID
        self.days = days
        self.flatCategories = flatCategories
    }

    /// The history as it was known on `asOf`: nothing dated later.
    public func known(asOf: Day) -> ClientHistory {
        guard let last = days.last, last.day > asOf else { return self }
        let kept = days.firstIndex { $0.day > asOf } ?? days.count
        return ClientHistory(
            clientID: clientID, days: Array(days[..<kept]), flatCategories: flatCategories?.prefix(days: kept))
    }

    /// Builds histories from sale lines (for tests and small data; the store folds large data chunk by chunk with
    /// the same ``DayTotals``).
    public static func from(_ lines: [SaleLine]) -> [ClientHistory] {
        var byClient: [String: [Day: (totals: DayTotals, categories: [String: Int64])]] = [:]
        for line in lines {
            var entry = byClient[line.clientID, default: [:]][line.day] ?? (DayTotals(), [:])
            entry.totals.add(amount: line.amount.scaled, margin: line.margin?.scaled)
            if line.amount > .zero, let category = line.category {
                entry.categories[category] = Money.saturating(
                    entry.categories[category, default: 0], line.amount.scaled)
            }
            byClient[line.clientID, default: [:]][line.day] = entry
        }
        return byClient.keys.sorted().map { id in
            let days = byClient[id]!.sorted { $0.key < $1.key }.map { day, entry in
                entry.totals.activity(
                    on: day,
                    categories: entry.categories.sorted { $0.key < $1.key }.map {
                        CategoryAmount(category: $0.key, amount: Money(scaled: $0.value))
                    })
            }
            return ClientHistory(clientID: id, days: days)
        }
    }

    /// The history as the buy-till-you-die models see it on `asOf`; nil without a purchase by then.
    public func repeatSummary(asOf: Day) -> RepeatSummary? {
        let purchases = days.lazy.filter { $0.day <= asOf && $0.isPurchase }
        return RepeatSummary(first: purchases.first?.day, last: purchases.last?.day, count: purchases.count, asOf: asOf)
    }
}

/// The fold of one client-day's sale lines, in scaled integers: the one rule by which lines become an
/// ``ActivityDay``, whether folded here from a few lines or by the store from millions.
///
/// Sums saturate: a line is at most 100 billion, but nothing stored may make a scan trap.
public struct DayTotals: Sendable, Equatable {
    public var net: Int64 = 0
    public var gross: Int64 = 0
    public var returns: Int64 = 0
    /// The sum of the margins of the lines that carried one, and how many did.
    public var margin: Int64 = 0
    public var marginLines: Int64 = 0
    public var lines: Int64 = 0

    public init() {}

    public init(net: Int64, gross: Int64, returns: Int64, margin: Int64, marginLines: Int64, lines: Int64) {
        self.net = net
        self.gross = gross
        self.returns = returns
        self.margin = margin
        self.marginLines = marginLines
        self.lines = lines
    }

    /// Adds one line: a positive amount was bought, a negative one returned or credited.
    public mutating func add(amount: Int64, margin lineMargin: Int64?) {
        net = Money.saturating(net, amount)
        if amount > 0 {
            gross = Money.saturating(gross, amount)
        } else {
            returns = Money.saturating(returns, amount == .min ? .max : -amount)
        }
        if let lineMargin {
            margin = Money.saturating(margin, lineMargin)
            marginLines += 1
        }
        lines += 1
    }

    /// Takes one line out again (an ERP's correction replaced it); false when a sum it was added to had saturated,
    /// so that taking it out cannot give the exact fold of the other lines (fold them again instead).
    public mutating func remove(amount: Int64, margin lineMargin: Int64?) -> Bool {
        let bound = Int64.max
        let sums = [net, gross, returns, margin, amount, lineMargin ?? 0]
        guard sums.allSatisfy({ $0 != bound && $0 != -bound && $0 != .min }), lines > 0 else { return false }
        net = Money.saturating(net, -amount)
        if amount > 0 { gross -= amount } else { returns += amount }
        if let lineMargin {
            margin = Money.saturating(margin, -lineMargin)
            marginLines -= 1
        }
        lines -= 1
        return true
    }

    /// The day as criteria see it. Its margin is known only when every line of the day carried one: a sum over
    /// some of its lines would understate it.
    public func activity(on day: Day, categories: [CategoryAmount] = []) -> ActivityDay {
        ActivityDay(
            day: day, net: Money(scaled: net), gross: Money(scaled: gross), returns: Money(scaled: returns),
            margin: lines > 0 && marginLines == lines ? Money(scaled: margin) : nil, categories: categories)
    }
}
