#if canImport(Glibc)
    import Glibc
#elseif canImport(Musl)
    import Musl
#elseif canImport(Darwin)
    import Darwin
#endif

/// The months a client does not buy in: a seasonal client's off-season.
///
/// A calendar month is off when every time it passed between the client's first and last purchase it brought no
/// purchase, and the client came back after it. Off months form one block of one to six months, and the client
/// buys in at least four other months: a client that bought only from March to October and came back in March is
/// not silent in its winter.
public struct Season: Sendable, Equatable {
    /// Calendar months (1…12) the client does not buy in.
    public var offMonths: Set<Int>

    /// "usually buys March to October".
    public var description: String {
        let on = (1...12).filter { !offMonths.contains($0) }
        // The buying block starts at the first buying month after an off month.
        let first = on.first { offMonths.contains($0 == 1 ? 12 : $0 - 1) } ?? on.first ?? 1
        let last = on.last { offMonths.contains($0 == 12 ? 1 : $0 + 1) } ?? on.last ?? 12
        return "usually buys \(Season.names[first - 1]) to \(Season.names[last - 1])"
    }

    /// "November to February": the off months as one span.
    public var offDescription: String {
        let off = (1...12).filter { offMonths.contains($0) }
        let first = off.first { !offMonths.contains($0 == 1 ? 12 : $0 - 1) } ?? off.first ?? 1
        let last = off.last { !offMonths.contains($0 == 12 ? 1 : $0 + 1) } ?? off.last ?? 12
        return first == last ? Season.names[first - 1] : "\(Season.names[first - 1]) to \(Season.names[last - 1])"
    }

    static let names = [
        "January", "February", "March", "April", "May", "June", "July", "August", "September", "October",
        "November", "December",
    ]

    /// The months in which the book's seasonal clients pause together: each month off for half as many again
    /// of them as the median month (other clients' pauses, such as a project buyer's, fall in any month) and for at
    /// least 2 % of `clients`; nil when the book shows no common pause.
    public static func common(_ seasons: [Season], clients: Int) -> Season? {
        var off = [Int](repeating: 0, count: 13)
        for season in seasons {
            for month in season.offMonths { off[month] += 1 }
        }
        let median = Statistics.median((1...12).map { Double(off[$0]) })
        let months = Set((1...12).filter {
            Double(off[$0]) >= 1.5 * median && Double(off[$0]) >= 0.02 * Double(clients) && off[$0] >= 5
        })
        return months.isEmpty ? nil : Season(offMonths: months)
    }

    /// Whether every month after `last`'s through `day`'s is an off month: a silence that began as the season ended.
    public func spans(silenceAfter last: Day, through day: Day) -> Bool {
        let (ly, lm, _) = last.components
        let (dy, dm, _) = day.components
        let from = ly * 12 + lm
        let through = dy * 12 + dm - 1
        guard through >= from else { return false }
        return (from...through).allSatisfy { offMonths.contains($0 % 12 + 1) }
    }

    /// The days after `after` through `through` that fall outside the off months.
    public func daysOutside(after: Day, through: Day) -> Int {
        guard through > after else { return 0 }
        return (1...after.days(to: through)).filter { !offMonths.contains(after.adding(days: $0).components.month) }.count
    }

    /// The client's off-season from its purchase days (ascending), or nil when it buys all year.
    public static func detect(_ purchases: [Day]) -> Season? {
        guard purchases.count >= 6, let first = purchases.first, let last = purchases.last else { return nil }
        // Months as bits 1...12.
        var bought: UInt16 = 0
        for day in purchases { bought |= 1 << day.components.month }
        guard bought.nonzeroBitCount >= 4 else { return nil }
        // Whole months strictly between the first and the last purchase's months.
        let (fy, fm, _) = first.components
        let (ly, lm, _) = last.components
        let from = fy * 12 + fm - 1 + 1
        let through = ly * 12 + lm - 1 - 1
        guard through >= from else { return nil }
        // A month is silent when the span holds it and the client never bought in it, in any year.
        var silent: UInt16 = 0
        for index in from...min(through, from + 11) {
            let month = index % 12 + 1
            if bought & (1 << month) == 0 { silent |= 1 << month }
        }
        func isSilent(_ month: Int) -> Bool { silent & (1 << month) != 0 }
        // The longest block of silent months (around the year's end too), the earliest starting first: a summer
        // month that happened to bring no order is no off-season.
        var best = (start: 0, count: 0)
        for start in 1...12 where isSilent(start) && !isSilent(start == 1 ? 12 : start - 1) {
            var count = 1
            var next = start == 12 ? 1 : start + 1
            while isSilent(next), count < 12 {
                count += 1
                next = next == 12 ? 1 : next + 1
            }
            if count > best.count { best = (start, count) }
        }
        guard (2...6).contains(best.count) else { return nil }
        return Season(offMonths: Set((0..<best.count).map { (best.start - 1 + $0) % 12 + 1 }))
    }
}

/// A client's gaps between purchases, in its own working time (the book's calendar, without its off-season): the
/// numbers the silence verdict and the purchase model are built from.
public struct GapSample: Sendable, Equatable {
    /// How many gaps (the most recent, at most `maxGaps`).
    public var count: Int
    /// Mean and sample variance of the gaps' logarithms.
    public var meanLog: Double
    public var varianceLog: Double
    /// The arithmetic mean gap.
    public var mean: Double
    /// The gaps themselves (at least `floor`), oldest first: the book learns from them how far a client's pace
    /// drifts from one gap to the next.
    public var values: [Double]

    /// The sample of `gaps` (each at least `floor`, so that two purchases a weekend apart are no zero gap).
    public init?(_ gaps: [Double], floor: Double = 0.2) {
        guard !gaps.isEmpty else { return nil }
        values = gaps.map { max($0, floor) }
        let logs = values.map { log($0) }
        count = gaps.count
        let average = logs.reduce(0, +) / Double(logs.count)
        meanLog = average
        varianceLog = logs.count > 1
            ? logs.reduce(0) { $0 + ($1 - average) * ($1 - average) } / Double(logs.count - 1) : 0
        mean = values.reduce(0, +) / Double(values.count)
    }
}

/// What the book's clients have in common: the prior each client's gap distribution is shrunk toward.
///
/// Gaps are gamma-distributed with a shape (regularity: 1 is a Poisson-like buyer, 10 buys like clockwork) and a
/// mean. The prior's log-gap variance is the median of clients with at least five gaps; their log mean gaps are
/// spread around a centre with a spread, both measured robustly (median, scaled MAD). How far a client's pace
/// drifts from what its gaps showed is learned from every client's gaps, each predicted from the ones before it: a
/// book of clients that buy in bursts and pause for months judges a long silence more leniently, in P(alive),
/// p_buy and the silence verdicts alike.
public struct GapPrior: Sendable, Equatable {
    public var varianceLog: Double
    public var centreLogMean: Double
    public var spreadLogMean: Double
    /// How much a client's pace drifts on the log scale over and above what its gaps show: the next gap, and so the
    /// current silence, is judged with that much slack.
    public var drift: Double

    /// A prior for a book that cannot teach one: irregular buyers (shape 1.5) around a month, spread widely, with
    /// the least drift.
    public static let vague = GapPrior(
        varianceLog: SpecialFunctions.trigamma(1.5), centreLogMean: log(21.0), spreadLogMean: 1.2, drift: minimumDrift)

    /// The least drift: the slack a silence is always judged with for what a client's own gaps cannot show (a
    /// holiday, a slow month). The gaps a book has completed understate the drift (a long gap has had less time to
    /// complete), so a book whose gaps look steadier keeps this much, and its verdicts their false-alarm rate.
    public static let minimumDrift = 0.3
    /// The most: a pace that drifts by a factor of e² says nothing of the next gap any more.
    public static let maximumDrift = 2.0
    /// About how many gaps the drift is learned from at most.
    static let driftGaps = 20_000

    public init(varianceLog: Double, centreLogMean: Double, spreadLogMean: Double, drift: Double) {
        self.varianceLog = varianceLog
        self.centreLogMean = centreLogMean
        self.spreadLogMean = spreadLogMean
        self.drift = drift
    }

    /// Learns the prior from every client's sample; `vague` where fewer than 20 clients have five gaps.
    public static func learn(_ samples: [GapSample]) -> GapPrior {
        let rich = samples.filter { $0.count >= 5 }
        guard rich.count >= 20 else { return .vague }
        let variance = Statistics.median(rich.map(\.varianceLog))
        let shape = GapFit.shape(forLogVariance: variance)
        let logMeans = rich.map { GapFit.logMean(meanLog: $0.meanLog, shape: shape) }
        let centre = Statistics.median(logMeans)
        let spread = 1.4826 * Statistics.median(logMeans.map { abs($0 - centre) })
        var prior = GapPrior(varianceLog: variance, centreLogMean: centre, spreadLogMean: max(spread, 0.25), drift: 0)
        prior.drift = learnDrift(samples, prior: prior)
        return prior
    }

    /// The drift under which the book's gaps are most likely, each predicted from the client's gaps before it (the
    /// first from the prior alone, which the drift does not touch): a book whose clients buy in bursts and then
    /// pause, so that a long silence is common among clients still buying, learns a large one. Found by
    /// golden-section search in [`minimumDrift`, `maximumDrift`], so the same book gives the same drift.
    static func learnDrift(_ samples: [GapSample], prior: GapPrior) -> Double {
        // Each predicted gap with what it is predicted from before drift: the gamma shape, the log mean (here of the
        // gamma's scale) and its variance, and the parts of the log density that do not depend on the mean.
        var steady = prior
        steady.drift = 0
        var predictions: [(gap: Double, shape: Double, logScale: Double, variance: Double, constant: Double)] = []
        // One number needs no more than some 20,000 gaps: a large book is thinned to every k-th client (in the book's
        // own order, so the same book still gives the same drift), and a scan of 100,000 clients pays for it what one
        // of a couple of thousand does.
        let total = samples.reduce(0) { $0 + max(0, $1.count - 1) }
        let step = max(1, (total + Self.driftGaps - 1) / Self.driftGaps)
        for (position, sample) in samples.enumerated() where sample.count >= 2 && position % step == 0 {
            for index in 1..<sample.count {
                let fit = GapFit(GapSample(Array(sample.values.prefix(index))), prior: steady)
                let gap = sample.values[index]
                predictions.append(
                    (gap, fit.shape, fit.logMean - log(fit.shape), fit.logMeanSpread * fit.logMeanSpread,
                     (fit.shape - 1) * log(gap) - SpecialFunctions.logGamma(fit.shape)))
            }
        }
        let nodes = GapFit.nodes.map { (x: $0.x, logWeight: log($0.w)) }
        // The gaps' negative log-likelihood: each a gamma density over the normal uncertainty of its log mean.
        func cost(_ drift: Double) -> Double {
            var total = 0.0
            for p in predictions {
                let spread = (p.variance + drift * drift).squareRoot()
                var density = -Double.infinity
                for node in nodes {
                    let logScale = p.logScale + spread * node.x
                    let term = node.logWeight + p.constant - p.gap * exp(-logScale) - p.shape * logScale
                    density = SpecialFunctions.logAddExp(density, term)
                }
                total -= density
            }
            return total
        }
        let ratio = (5.0.squareRoot() - 1) / 2
        var (low, high) = (minimumDrift, maximumDrift)
        var (left, right) = (high - ratio * (high - low), low + ratio * (high - low))
        var (leftCost, rightCost) = (cost(left), cost(right))
        // To 0.005: far finer than a verdict can tell.
        while high - low > 0.005 {
            if leftCost <= rightCost {
                (high, right, rightCost) = (right, left, leftCost)
                left = high - ratio * (high - low)
                leftCost = cost(left)
            } else {
                (low, left, leftCost) = (left, right, rightCost)
                right = low + ratio * (high - low)
                rightCost = cost(right)
            }
        }
        // A drift the search cannot tell from the least is the least.
        return low == minimumDrift ? minimumDrift : (low + high) / 2
    }
}

/// One client's gap distribution: a gamma shape, and its mean gap known up to a normal uncertainty on the log
/// scale, shrunk toward the book's prior as much as the client's own gaps leave room for.
public struct GapFit: Sendable, Equatable {
    /// The gamma shape: how regular the client is (gaps vary by 1/√shape around their mean).
    public var shape: Double
    /// The mean gap's logarithm and its uncertainty (a standard deviation), in working days.
    public var logMean: Double
    public var logMeanSpread: Double

    /// How many gaps' worth the prior's variance counts for.
    public static let priorGaps = 4.0

    public var meanGap: Double { exp(logMean) }
    /// The coefficient of variation of the client's gaps.
    public var variation: Double { 1 / shape.squareRoot() }

    public init(shape: Double, logMean: Double, logMeanSpread: Double) {
        self.shape = shape
        self.logMean = logMean
        self.logMeanSpread = logMeanSpread
    }

    /// The client's fit from its sample (nil: one purchase, no gap) and the book's prior.
    public init(_ sample: GapSample?, prior: GapPrior) {
        let n = Double(sample?.count ?? 0)
        let degrees = max(0, n - 1)
        let variance = (degrees * (sample?.varianceLog ?? 0) + Self.priorGaps * prior.varianceLog) / (degrees + Self.priorGaps)
        shape = Self.shape(forLogVariance: variance)
        let priorPrecision = 1 / (prior.spreadLogMean * prior.spreadLogMean)
        guard let sample else {
            logMean = prior.centreLogMean
            logMeanSpread = prior.spreadLogMean
            return
        }
        // The log of the mean gap as the sample says it, and how sure it is of it (each gap's log varies by the
        // shape's trigamma).
        let estimate = Self.logMean(meanLog: sample.meanLog, shape: shape)
        let dataPrecision = n / SpecialFunctions.trigamma(shape)
        logMean = (estimate * dataPrecision + prior.centreLogMean * priorPrecision) / (dataPrecision + priorPrecision)
        // What the gaps say of the mean, and how far a client's pace drifts from it anyway (a holiday, a slow month).
        logMeanSpread = (1 / (dataPrecision + priorPrecision) + prior.drift * prior.drift).squareRoot()
    }

    /// The gamma shape whose log-gap variance is `variance` (ψ₁(k) = variance), kept within [0.3, 60].
    public static func shape(forLogVariance variance: Double) -> Double {
        min(60, max(0.3, SpecialFunctions.inverseTrigamma(max(variance, 1e-6))))
    }

    /// log E[gap] from the mean log-gap: E[log g] = ψ(k) + log θ and E[g] = kθ.
    static func logMean(meanLog: Double, shape: Double) -> Double {
        meanLog - SpecialFunctions.digamma(shape) + log(shape)
    }

    /// Gauss–Hermite nodes and weights for the expectation over a standard normal (probabilists' form), 9 points.
    static let nodes: [(x: Double, w: Double)] = [
        (-4.512745863399783, 2.234584400774658e-05), (-3.205429002856470, 0.002789141321231769),
        (-2.076847978677830, 0.04991640676521788), (-1.023255663789133, 0.2440975028949394),
        (0, 0.40634920634920635), (1.023255663789133, 0.2440975028949394),
        (2.076847978677830, 0.04991640676521788), (3.205429002856470, 0.002789141321231769),
        (4.512745863399783, 2.234584400774658e-05),
    ]

    /// ln P(a gap lasts longer than `time`), over the uncertainty of the mean gap: how rarely a client like this is
    /// this silent while still buying.
    public func logSurvival(_ time: Double) -> Double {
        guard time > 0 else { return 0 }
        if logMeanSpread < 1e-3 {
            return SpecialFunctions.logUpperRegularizedGamma(shape, time * shape / exp(logMean))
        }
        var total = -Double.infinity
        for node in Self.nodes {
            let mean = exp(logMean + logMeanSpread * node.x)
            let term = log(node.w) + SpecialFunctions.logUpperRegularizedGamma(shape, time * shape / mean)
            total = SpecialFunctions.logAddExp(total, term)
        }
        return min(0, total)
    }
}
