/// The company's working time, learned from the book: how much each day counts when a silence is measured.
///
/// A day on which almost no client buys (a weekend, a shutdown between Christmas and Epiphany) counts for nothing;
/// a month in which the whole book buys less (August) counts less. A day's weight is the number of clients that
/// bought on it against the level of an ordinary busy day around it (the 80th percentile of the 91 days centred on
/// it), at most 1. Days closed by the config weigh nothing. A book too small to tell a quiet day from chance (fewer
/// than ``minimumLevel`` clients on an ordinary day) counts every open day fully.
///
/// Time is summed per calendar month as well, so that a client's own off-season (months it never buys in) can be
/// left out of its silence.
public struct BusinessCalendar: Sendable, Equatable {
    /// The first day the weights cover.
    public let start: Day
    /// Each day's weight from `start` on.
    public let weights: [Double]
    /// Running sums of the weights per calendar month: `sums[m][i]` adds the weights of days before `start + i`
    /// that fall in month `m + 1`.
    private let sums: [[Double]]
    /// What a day outside the known range weighs: the mean weight of the last 365 known days.
    public let typicalWeight: Double

    /// An ordinary day's buying clients below which the book is too small to learn its calendar from.
    public static let minimumLevel = 8.0

    /// A calendar where every day counts fully, except the closed ones.
    public static func plain(from start: Day, through end: Day, closed: [ClosedRange<Day>] = []) -> BusinessCalendar {
        let count = max(0, start.days(to: end) + 1)
        var weights = [Double](repeating: 1, count: count)
        close(&weights, start: start, closed)
        return BusinessCalendar(start: start, weights: weights)
    }

    /// Learns the calendar from how many clients bought on each day (days missing bought nothing), from `start`
    /// through `end`.
    public static func learned(
        buyingClients: [Day: Int], from start: Day, through end: Day, closed: [ClosedRange<Day>] = []
    ) -> BusinessCalendar {
        let count = max(0, start.days(to: end) + 1)
        guard count > 0 else { return plain(from: start, through: end, closed: closed) }
        var counts = [Double](repeating: 0, count: count)
        for (day, clients) in buyingClients where day >= start && day <= end {
            counts[start.days(to: day)] = Double(clients)
        }
        let busy = counts.filter { $0 > 0 }.sorted()
        let median = busy.isEmpty ? 0 : busy[busy.count / 2]
        guard median >= minimumLevel, count >= 28 else { return plain(from: start, through: end, closed: closed) }
        var weights = [Double](repeating: 1, count: count)
        let half = 45
        for index in 0..<count {
            let window = counts[max(0, index - half)...min(count - 1, index + half)].sorted()
            let level = window[min(window.count - 1, Int(Double(window.count) * 0.8))]
            weights[index] = level > 0 ? min(1, counts[index] / level) : 0
        }
        close(&weights, start: start, closed)
        return BusinessCalendar(start: start, weights: weights)
    }

    private static func close(_ weights: inout [Double], start: Day, _ closed: [ClosedRange<Day>]) {
        for range in closed {
            let lower = max(0, start.days(to: range.lowerBound))
            let upper = min(weights.count - 1, start.days(to: range.upperBound))
            if lower <= upper { for offset in lower...upper { weights[offset] = 0 } }
        }
    }

    /// How many days after the known ones the running sums also cover, with the weights they are projected to have
    /// (the same day a year earlier): every client's horizon lies there, and is looked up instead of walked.
    public static let projectedDays = 400

    public init(start: Day, weights: [Double]) {
        self.start = start
        self.weights = weights
        let recent = weights.suffix(365)
        let typical = recent.isEmpty ? 1 : recent.reduce(0, +) / Double(recent.count)
        typicalWeight = typical
        var all = weights
        all.reserveCapacity(weights.count + Self.projectedDays)
        for index in weights.count..<(weights.count + Self.projectedDays) {
            all.append(index >= 364 ? all[index - 364] : typical)
        }
        var sums = [[Double]](repeating: [0], count: 12)
        for month in 0..<12 { sums[month].reserveCapacity(all.count + 1) }
        var day = start
        for weight in all {
            let month = day.components.month - 1
            for m in 0..<12 { sums[m].append(sums[m].last! + (m == month ? weight : 0)) }
            day = day.adding(days: 1)
        }
        self.sums = sums
    }

    /// The weight of one day: known, or for days outside the range the same day a year earlier (or later), else the
    /// typical weight.
    public func weight(_ day: Day) -> Double {
        let offset = start.days(to: day)
        if offset >= 0, offset < weights.count { return weights[offset] }
        for shift in [-364, -728, 364, 728] {
            let other = offset + shift
            if other >= 0, other < weights.count { return weights[other] }
        }
        return typicalWeight
    }

    /// Working time after `from` up to and including `through` (so a gap from one purchase to the next is the time
    /// of the days after the first through the second), leaving out the calendar months in `excluded` (1…12).
    public func time(after from: Day, through: Day, excluding excluded: Set<Int> = []) -> Double {
        guard through > from else { return 0 }
        let lower = start.days(to: from) + 1
        let upper = start.days(to: through) + 1
        let count = sums[0].count - 1
        // Inside the known and projected range by prefix sums; any part outside it day by day.
        var total = 0.0
        let insideLower = max(0, min(count, lower))
        let insideUpper = max(0, min(count, upper))
        if insideUpper > insideLower {
            for month in 0..<12 where !excluded.contains(month + 1) {
                total += sums[month][insideUpper] - sums[month][insideLower]
            }
        }
        if lower < 0 || upper > count {
            var day = from.adding(days: 1)
            while day <= through {
                let offset = start.days(to: day)
                if offset < 0 || offset >= count, !excluded.contains(day.components.month) { total += weight(day) }
                day = day.adding(days: 1)
            }
        }
        return total
    }
}
