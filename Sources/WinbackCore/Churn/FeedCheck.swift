/// What the sales data covers on a scan day, and whether the feed has stopped.
///
/// A book that has had no sales for longer than it ever normally pauses has not lost all its clients at once:
/// its export has stopped. Then the scan judges every client's silence only up to the last day with sales and
/// raises one `feed_stale` alert instead of a wave of false losses.
public struct FeedCheck: Sendable, Equatable {
    /// The scan's day.
    public var asOf: Day
    /// The last day with sales on or before `asOf`; nil for a book without sales.
    public var lastSaleDay: Day?
    /// The first day with sales.
    public var firstSaleDay: Day?
    /// The longest pause between two days with sales in the year up to the last one, in days (Friday to Monday
    /// is 3); nil when the book has too little history to tell.
    public var longestPause: Int?
    /// The pause after which the feed counts as stopped: the configured one, else the longest pause (at least
    /// ``minimumLimit``); nil when neither is known.
    public var staleAfterDays: Int?
    /// Whether the limit came from the config.
    public var configured: Bool

    /// Below this, a learned limit is raised to it: a weekend and an export a day late are no stopped feed.
    public static let minimumLimit = 3
    /// Days with sales needed before the book's own pauses are trusted.
    public static let minimumSaleDays = 10

    /// Judges the feed from the days with sales (ascending, all on or before `asOf`) of the year or so before it.
    ///
    /// - Parameter staleAfterDays: `[feed] stale_after_days` when set; nil learns the limit from the book.
    public static func judge(saleDays: [Day], firstSaleDay: Day?, asOf: Day, staleAfterDays: Int?) -> FeedCheck {
        var check = FeedCheck(
            asOf: asOf, lastSaleDay: saleDays.last, firstSaleDay: firstSaleDay ?? saleDays.first, longestPause: nil,
            staleAfterDays: staleAfterDays, configured: staleAfterDays != nil)
        if let last = saleDays.last {
            // The pauses that end in the year before (one that began just before it, like last year's shutdown
            // around the turn of the year, counts whole).
            let from = last.adding(days: -365)
            let firstInYear = saleDays.firstIndex { $0 >= from } ?? saleDays.count
            let recent = Array(saleDays[max(0, firstInYear - 1)...])
            if recent.count >= minimumSaleDays {
                check.longestPause = zip(recent, recent.dropFirst()).map { $0.days(to: $1) }.max()
            }
        }
        if check.staleAfterDays == nil, let pause = check.longestPause {
            check.staleAfterDays = max(pause, minimumLimit)
        }
        return check
    }

    /// Days from the last sale to the scan's day.
    public var daysWithoutSales: Int? { lastSaleDay.map { $0.days(to: asOf) } }

    /// True when the book has been silent longer than the limit.
    public var isStale: Bool {
        guard let limit = staleAfterDays, let silent = daysWithoutSales else { return false }
        return silent > limit
    }

    /// The day clients' silence is judged up to: the scan's day, or the last day with sales when the feed stopped.
    public var judgedThrough: Day {
        isStale ? lastSaleDay ?? asOf : asOf
    }

    /// One line for the digest, the journal and STATUS: what the data covers, and whether the feed stopped.
    public var summary: String {
        guard let last = lastSaleDay else { return "no sales stored yet" }
        let span = firstSaleDay.map { "sales from \($0.iso) to \(last.iso)" } ?? "sales up to \(last.iso)"
        guard isStale, let silent = daysWithoutSales, let limit = staleAfterDays else { return span }
        let why = configured ? "the config allows \(limit)" : "the book is never silent longer than \(limit)"
        let unit = limit == 1 ? "day" : "days"
        return "the feed has stopped: no sales after \(last.iso) (\(silent) days; \(why) \(unit)); "
            + "clients' silence is judged up to \(last.iso)"
    }

    /// The `feed_stale` alert when the feed has stopped.
    public var alert: AlertCandidate? {
        guard isStale, let last = lastSaleDay, let silent = daysWithoutSales, let limit = staleAfterDays else { return nil }
        let why =
            configured
            ? "[feed] stale_after_days is \(limit)"
            : "in the year before, the book was never silent longer than \(limit) days"
        return AlertCandidate(
            clientID: nil, kind: .feedStale, severity: .warning,
            title: "No sales since \(last.iso): the export seems to have stopped",
            explanation:
                "the last day with sales is \(last.iso), \(silent) days before \(asOf.iso); \(why). "
                + "Clients' silence is judged up to \(last.iso) until sales come in again: check the ERP's export "
                + "and the inbox")
    }
}
