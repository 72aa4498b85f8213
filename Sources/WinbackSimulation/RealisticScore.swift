import WinbackCore

/// How well verdicts on a realistic book, as of one day, match its known truth: the measures a head of sales
/// cares about, each a count out of the clients it is about.
///
/// Only clients that bought on or before the day count (a scan knows no others). Truth on day D:
/// - a client *buys again* if the generated data has a purchase in the `horizon` days after D: flagging it is
///   a false alarm (choose D at least `horizon` days before the end of the book);
/// - a client is *gone* if its dropout day is on or before D; it *should be lost* once it has been gone three
///   of its own mean gaps (counting a seasonal client's season days only) and at least `grace` days;
/// - a seasonal client alive and out of its season should not be flagged;
/// - a sharp decline 60 to 89 days old, and a gradual one that has halved the spend, should be flagged.
public struct RealisticScore: Sendable, CustomStringConvertible {
    /// `count` out of `total`.
    public struct Fraction: Sendable, Equatable, CustomStringConvertible {
        public var count = 0
        public var total = 0

        public init(count: Int = 0, total: Int = 0) {
            self.count = count
            self.total = total
        }

        /// The share, 0 when there is nothing to count.
        public var value: Double { total == 0 ? 0 : Double(count) / Double(total) }

        public mutating func add(_ hit: Bool) {
            total += 1
            if hit { count += 1 }
        }

        public var description: String {
            let tenths = Int((value * 1000).rounded())
            return "\(count)/\(total) (\(tenths / 10).\(tenths % 10) %)"
        }
    }

    /// The measures for one set of verdicts.
    public struct Rates: Sendable {
        /// Clients that buy again within the horizon, flagged at risk or lost: the false-alarm rate.
        public var falseAlarms = Fraction()
        /// Clients that buy again within the horizon, called lost.
        public var lostAmongBuyers = Fraction()
        /// Clients gone long enough to be lost (three mean gaps and `grace` days), called lost.
        public var lostRecall = Fraction()
        /// Clients called lost, that have truly dropped out.
        public var lostPrecision = Fraction()
        /// Seasonal clients alive and out of their season, flagged.
        public var offSeasonFlagged = Fraction()
        /// The same among seasonal clients that had a whole season and off-season before: those whose own history
        /// could show the off-season (a client in its first season cannot be told from one that left).
        public var offSeasonFlaggedKnown = Fraction()
        /// Sharp decliners alive, whose decline began 60 to 89 days before, flagged: found within a quarter.
        public var sharpDeclinesFound = Fraction()
        /// Gradual decliners alive, whose spend has fallen by half or more, flagged.
        public var gradualDeclinesFound = Fraction()
    }

    /// One kind of client on the day (`RealisticClient.state(at:)`) and what the verdicts said of it.
    public struct Row: Sendable {
        public var kind: String
        public var clients = 0
        public var flagged = 0
        public var lost = 0
        /// Clients that buy again within the horizon, and how many of them were flagged.
        public var buyAgain = 0
        public var buyAgainFlagged = 0
    }

    public var asOf: Day
    public var horizon: Int
    public var grace: Int
    /// The verdicts judged: a scan's statuses, or any flagged and lost sets.
    public var model: Rates
    /// The same measures for a plain rule's flags, when one was given.
    public var rule: Rates?
    public var rows: [Row]

    /// Scores a scan's statuses (at risk or lost is flagged), and `rule`'s flags beside them if given (a
    /// plain rule's flag counts as both flagged and lost).
    public init(
        book: RealisticBook, statuses: [String: ClientStatus], asOf: Day, horizon: Int = 90,
        grace: Int = 90, rule: Set<String>? = nil
    ) {
        var flagged = Set<String>()
        var lost = Set<String>()
        for (id, status) in statuses {
            if status.isFailing { flagged.insert(id) }
            if status == .lost { lost.insert(id) }
        }
        self.init(book: book, flagged: flagged, lost: lost, asOf: asOf, horizon: horizon, grace: grace)
        if let rule {
            self.rule = Self.rates(
                clients: book.clients, flagged: rule, lost: rule, asOf: asOf, horizon: horizon, grace: grace)
        }
    }

    /// Scores any verdicts: `flagged` the clients said at risk or lost, `lost` those said lost.
    public init(
        book: RealisticBook, flagged: Set<String>, lost: Set<String>, asOf: Day, horizon: Int = 90, grace: Int = 90
    ) {
        self.asOf = asOf
        self.horizon = horizon
        self.grace = grace
        model = Self.rates(
            clients: book.clients, flagged: flagged, lost: lost, asOf: asOf, horizon: horizon, grace: grace)
        rule = nil
        var rows: [String: Row] = [:]
        for client in book.clients where client.lastPurchase(onOrBefore: asOf) != nil {
            let kind = client.state(at: asOf)
            var row = rows[kind] ?? Row(kind: kind)
            row.clients += 1
            if flagged.contains(client.id) || lost.contains(client.id) { row.flagged += 1 }
            if lost.contains(client.id) { row.lost += 1 }
            if client.buysAgain(after: asOf, within: horizon) {
                row.buyAgain += 1
                if flagged.contains(client.id) || lost.contains(client.id) { row.buyAgainFlagged += 1 }
            }
            rows[kind] = row
        }
        self.rows = rows.values.sorted { $0.kind < $1.kind }
    }

    private static func rates(
        clients: [RealisticClient], flagged: Set<String>, lost: Set<String>, asOf: Day, horizon: Int, grace: Int
    ) -> Rates {
        var rates = Rates()
        for client in clients where client.lastPurchase(onOrBefore: asOf) != nil {
            let isLost = lost.contains(client.id)
            let isFlagged = isLost || flagged.contains(client.id)
            let alive = client.isAlive(at: asOf)
            // A false alarm is a flag on a client that buys again and is not being lost: a decliner, or a client whose
            // gaps have begun to lengthen before it leaves, flagged is found, not a false alarm.
            let losing = (client.declineStart.map { $0 <= asOf } ?? false) || client.gapFactor(at: asOf) > 1.2
            if client.buysAgain(after: asOf, within: horizon), !losing {
                rates.falseAlarms.add(isFlagged)
                rates.lostAmongBuyers.add(isLost)
            }
            if let gone = client.goneDays(at: asOf), Double(gone) >= 3 * client.meanGapDays, gone >= grace {
                rates.lostRecall.add(isLost)
            }
            if isLost { rates.lostPrecision.add(!alive) }
            if alive, client.isOffSeason(at: asOf) {
                rates.offSeasonFlagged.add(isFlagged)
                if client.firstDay <= asOf.adding(days: -365) { rates.offSeasonFlaggedKnown.add(isFlagged) }
            }
            guard alive, let since = client.declineStart, since <= asOf else { continue }
            switch client.fate {
            // Found within a quarter: judged at a day 60 to 89 days after it began (once, on month ends; a decline a
            // year old is the client's new normal, which no criterion should keep flagging).
            case .declinesSharply where (60..<90).contains(since.days(to: asOf)):
                rates.sharpDeclinesFound.add(isFlagged)
            case .declinesGradually where client.spendFactor(at: asOf) <= 0.5: rates.gradualDeclinesFound.add(isFlagged)
            default: break
            }
        }
        return rates
    }

    public var description: String {
        func pad(_ text: String, _ width: Int) -> String { text.leftPadded(to: width, with: " ") }
        var out = "as of \(asOf.iso), horizon \(horizon) days\n"
        out += "kind                 clients  flagged     lost  buy again  of them flagged\n"
        for row in rows {
            out +=
                row.kind + String(repeating: " ", count: max(0, 20 - row.kind.count)) + pad(String(row.clients), 8)
                + pad(String(row.flagged), 9) + pad(String(row.lost), 9) + pad(String(row.buyAgain), 11)
                + pad(String(row.buyAgainFlagged), 17) + "\n"
        }
        let measures: [(String, KeyPath<Rates, Fraction>)] = [
            ("flagged, buy again", \.falseAlarms), ("lost, buy again", \.lostAmongBuyers),
            ("lost recall (gone ≥ 3 gaps)", \.lostRecall), ("lost precision", \.lostPrecision),
            ("seasonal flagged off-season", \.offSeasonFlagged), ("sharp declines found", \.sharpDeclinesFound),
            ("gradual declines found", \.gradualDeclinesFound),
        ]
        for (name, path) in measures {
            out += name + String(repeating: " ", count: max(0, 30 - name.count)) + model[keyPath: path].description
            if let rule { out += "   rule: " + rule[keyPath: path].description }
            out += "\n"
        }
        return out
    }
}
