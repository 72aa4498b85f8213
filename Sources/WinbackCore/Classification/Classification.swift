/// ABC class: by share of revenue (or margin), cumulative from the largest client.
public enum ABCClass: String, Sendable, CaseIterable, Codable {
    case a = "A", b = "B", c = "C"
}

/// XYZ class: by how regularly the client buys (coefficient of variation of monthly revenue).
public enum XYZClass: String, Sendable, CaseIterable, Codable {
    case x = "X", y = "Y", z = "Z"
}

/// How much the company depends on one client.
public enum Dependence: String, Sendable, CaseIterable, Codable {
    case none
    /// 10 % of revenue or more: a breadwinner.
    case key
    /// Above 20 %.
    case critical
    /// Above 50 %.
    case mono
}

/// A client's classes and share of revenue on one day.
public struct ClientClasses: Sendable, Equatable {
    public var abc: ABCClass
    /// Nil when fewer than three months of history fall in the XYZ window.
    public var xyz: XYZClass?
    /// The coefficient of variation behind `xyz`.
    public var variation: Double?
    /// Share of the company's revenue over the classes window, 0…1.
    public var share: Double
    public var dependence: Dependence

    public init(abc: ABCClass, xyz: XYZClass?, variation: Double?, share: Double, dependence: Dependence) {
        self.abc = abc
        self.xyz = xyz
        self.variation = variation
        self.share = share
        self.dependence = dependence
    }

    /// "AX", "CZ", or "C–" without an XYZ class.
    public var combined: String { abc.rawValue + (xyz?.rawValue ?? "–") }
}

/// ABC/XYZ classification and revenue shares over all clients at once.
public enum Classifier {
    /// The classes of every client, in the order of `facts`.
    public static func classify(_ facts: [ClientFacts], settings: ChurnSettings.Classes) -> [ClientClasses] {
        let useMargin: Bool
        switch settings.abcBy {
        case .revenue: useMargin = false
        case .margin: useMargin = true
        case .auto: useMargin = facts.allSatisfy { $0.revenue == .zero || $0.margin != nil } && facts.contains { $0.margin != nil && $0.revenue != .zero }
        }
        let measure = facts.map { max(0, useMargin ? ($0.margin ?? .zero).doubleValue : $0.revenue.doubleValue) }
        let totalMeasure = measure.reduce(0, +)
        let totalRevenue = facts.reduce(0.0) { $0 + max(0, $1.revenue.doubleValue) }

        // A client is A while the share of those ranked before it is under the A limit, so the client that
        // crosses 80 % is still A (and a mono-client is always A).
        var abc = [ABCClass](repeating: .c, count: facts.count)
        if totalMeasure > 0 {
            let order = facts.indices.sorted { (measure[$0], facts[$1].clientID) > (measure[$1], facts[$0].clientID) }
            var before = 0.0
            for index in order {
                guard measure[index] > 0 else { break }
                let shareBefore = before / totalMeasure
                abc[index] = shareBefore < settings.abcLimits.a ? .a : shareBefore < settings.abcLimits.b ? .b : .c
                before += measure[index]
            }
        }

        return facts.indices.map { index in
            let client = facts[index]
            let months = client.monthlyRevenue.suffix(client.activeMonths).map(\.doubleValue)
            let variation = months.count >= 3 ? Statistics.coefficientOfVariation(months) : nil
            let xyz = variation.map { $0 <= settings.xyzLimits.x ? XYZClass.x : $0 <= settings.xyzLimits.y ? .y : .z }
            let share = totalRevenue > 0 ? max(0, client.revenue.doubleValue) / totalRevenue : 0
            let dependence: Dependence =
                share > settings.monoShare ? .mono
                : share > settings.criticalShare ? .critical : share >= settings.keyShare ? .key : .none
            return ClientClasses(abc: abc[index], xyz: xyz, variation: variation, share: share, dependence: dependence)
        }
    }
}
