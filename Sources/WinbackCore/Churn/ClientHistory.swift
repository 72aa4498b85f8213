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
    /// `AppDatabase.purchaseDay`.)
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

/// One client's activity, day by day, in date order: the input of every criterion.
public struct ClientHistory: Sendable, Equatable {
    public var clientID: String
    public var days: [ActivityDay]

    public init(clientID: String, days: [ActivityDay]) {
        self.clientID = clientID
        self.days = days
    }

    /// The history as it was known on `asOf`: nothing dated later.
    public func known(asOf: Day) -> ClientHistory {
        guard let last = days.last, last.day > asOf else { return self }
        return ClientHistory(clientID: clientID, days: days.filter { $0.day <= asOf })
    }

    /// Builds histories from sale lines (for tests and small data; the store aggregates large data itself).
    public static func from(_ lines: [SaleLine]) -> [ClientHistory] {
        var byClient: [String: [Day: ActivityDay]] = [:]
        for line in lines {
            var day = byClient[line.clientID, default: [:]][line.day]
                ?? ActivityDay(day: line.day, net: .zero, gross: .zero, returns: .zero)
            day.net = day.net + line.amount
            if line.amount > .zero {
                day.gross = day.gross + line.amount
                if let category = line.category {
                    if let index = day.categories.firstIndex(where: { $0.category == category }) {
                        day.categories[index].amount = day.categories[index].amount + line.amount
                    } else {
                        day.categories.append(CategoryAmount(category: category, amount: line.amount))
                    }
                }
            } else {
                day.returns = day.returns - line.amount
            }
            if let margin = line.margin { day.margin = (day.margin ?? .zero) + margin }
            byClient[line.clientID, default: [:]][line.day] = day
        }
        return byClient.keys.sorted().map { id in
            ClientHistory(clientID: id, days: byClient[id]!.values.sorted { $0.day < $1.day })
        }
    }
}
