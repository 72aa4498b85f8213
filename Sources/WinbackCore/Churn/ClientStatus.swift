/// Where a client stands.
public enum ClientStatus: String, Sendable, CaseIterable, Codable {
    /// Bought for the first time recently, or never: no rhythm yet.
    case new
    /// Buying as it does.
    case active
    case atRisk = "at_risk"
    case lost
    /// Was lost, and bought again.
    case wonBack = "won_back"
}

/// A status and since when it holds: what an earlier scan decided.
public struct StatusSince: Sendable, Equatable {
    public var status: ClientStatus
    public var since: Day

    public init(_ status: ClientStatus, since: Day) {
        self.status = status
        self.since = since
    }
}

/// A scan's verdict on a client's status, with the reason in words.
public struct StatusDecision: Sendable, Equatable {
    public var status: ClientStatus
    public var reason: String

    public init(status: ClientStatus, reason: String) {
        self.status = status
        self.reason = reason
    }
}

extension StatusDecision {
    /// Decides the status from the findings and what earlier scans decided.
    ///
    /// Lost wins over at risk; a lost client that has bought since it was lost is won back, and stays so for
    /// `wonBackDays` unless a criterion fires again; a client without a rhythm whose first purchase is recent is new.
    public static func decide(
        previous: StatusSince?, facts: ClientFacts, findings: [Finding], settings: ChurnSettings.StatusRules
    ) -> StatusDecision {
        let worst = findings.first { $0.verdict != .flag }
        guard let lastPurchase = facts.lastPurchase, let firstPurchase = facts.firstPurchase else {
            return StatusDecision(status: .new, reason: "no purchase yet")
        }
        if let previous, previous.status == .lost, lastPurchase > previous.since, worst?.verdict != .lost {
            return StatusDecision(
                status: .wonBack,
                reason: "bought again on \(lastPurchase.iso) after being lost since \(previous.since.iso)")
        }
        if let worst {
            return StatusDecision(status: worst.verdict == .lost ? .lost : .atRisk, reason: worst.explanation)
        }
        if let previous, previous.status == .wonBack, previous.since.days(to: facts.asOf) < settings.wonBackDays {
            return StatusDecision(status: .wonBack, reason: "won back on \(previous.since.iso)")
        }
        if facts.rhythm == nil, firstPurchase.days(to: facts.asOf) < settings.newClientDays {
            return StatusDecision(status: .new, reason: "first purchase on \(firstPurchase.iso)")
        }
        if let rhythm = facts.rhythm {
            return StatusDecision(status: .active, reason: "buys every \(days(rhythm)); last purchase \(lastPurchase.iso)")
        }
        return StatusDecision(status: .active, reason: "last purchase \(lastPurchase.iso)")
    }
}
