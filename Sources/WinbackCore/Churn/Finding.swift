/// The criteria that say a client is being lost, wholly or in part.
public enum Criterion: String, Sendable, CaseIterable, Codable {
    case overdue, silence, decline
    case categoryDrop = "category_drop"
    case returns
    case pAlive = "p_alive"

    /// Judges whether the client still buys at all (its silence, or the purchase model), as against how much or
    /// what it buys: a silence finding is what a rule such as "silent 90 days" would be compared with, and what
    /// ends a won-back period.
    public var judgesSilence: Bool { self == .overdue || self == .silence || self == .pAlive }
}

/// What a criterion concluded.
public enum Verdict: String, Sendable, Codable, Comparable {
    /// Worth a look, but not a status by itself (a dropped category, many returns).
    case flag
    case atRisk = "at_risk"
    case lost

    private var rank: Int {
        switch self {
        case .flag: return 0
        case .atRisk: return 1
        case .lost: return 2
        }
    }

    public static func < (lhs: Verdict, rhs: Verdict) -> Bool { lhs.rank < rhs.rank }
}

/// One criterion that fired for one client, with the numbers behind it and a sentence a sales head reads.
public struct Finding: Sendable, Equatable, Codable {
    public var criterion: Criterion
    public var verdict: Verdict
    /// The category concerned, for `category_drop`.
    public var category: String?
    /// The numbers behind the verdict, by name, in the order they are explained.
    public var numbers: [Measure]
    /// The verdict in words, with its numbers: "buys every 14 days; silent for 45 days, 3.2× its rhythm".
    public var explanation: String

    public init(criterion: Criterion, verdict: Verdict, category: String? = nil, numbers: [Measure], explanation: String) {
        self.criterion = criterion
        self.verdict = verdict
        self.category = category
        self.numbers = numbers
        self.explanation = explanation
    }

    public func number(_ name: String) -> Double? {
        numbers.first { $0.name == name }?.value
    }
}

/// A named number behind a finding.
public struct Measure: Sendable, Equatable, Codable {
    public var name: String
    public var value: Double

    public init(_ name: String, _ value: Double) {
        self.name = name
        self.value = value
    }
}
