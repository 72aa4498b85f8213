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
    /// Lost wins over at risk. A lost client that has bought since it was lost is won back, and stays so for
    /// `wonBackDays` while it keeps buying: a relapse into silence (overdue, silence, the purchase model) moves it
    /// back to at risk or lost at once. A decline does not end the period: the months the client was gone weigh
    /// on every revenue comparison until then. A client without a rhythm whose first purchase is recent is new.
    public static func decide(
        previous: StatusSince?, facts: ClientFacts, findings: [Finding], settings: ChurnSettings.StatusRules,
        numbers: NumberStyle = .plain
    ) -> StatusDecision {
        let worst = findings.first { $0.verdict != .flag }
        let relapse = findings.first { $0.verdict != .flag && $0.criterion.judgesSilence }
        guard let lastPurchase = facts.lastPurchase, let firstPurchase = facts.firstPurchase else {
            return StatusDecision(status: .new, reason: "no purchase yet")
        }
        if let previous, previous.status == .lost, lastPurchase > previous.since {
            if let relapse { return StatusDecision(relapse) }
            return StatusDecision(
                status: .wonBack,
                reason: "bought again on \(lastPurchase.iso) after being lost since \(previous.since.iso)")
        }
        if let previous, previous.status == .wonBack, previous.since.days(to: facts.asOf) < settings.wonBackDays {
            if let relapse { return StatusDecision(relapse) }
            return StatusDecision(status: .wonBack, reason: "won back on \(previous.since.iso); last purchase \(lastPurchase.iso)")
        }
        if let worst { return StatusDecision(worst) }
        if facts.purchaseDays < 5, firstPurchase.days(to: facts.asOf) < settings.newClientDays {
            return StatusDecision(status: .new, reason: "first purchase on \(firstPurchase.iso)")
        }
        if let rhythm = facts.rhythm {
            return StatusDecision(status: .active, reason: "buys every \(days(rhythm, numbers)); last purchase \(lastPurchase.iso)")
        }
        return StatusDecision(status: .active, reason: "last purchase \(lastPurchase.iso)")
    }

    /// The status a finding with an at-risk or lost verdict gives, with its explanation as the reason.
    init(_ finding: Finding) {
        self.init(status: finding.verdict == .lost ? .lost : .atRisk, reason: finding.explanation)
    }
}

extension ClientStatus {
    /// At risk or lost: the statuses that put a client on the win-back list and count as failures.
    public var isFailing: Bool { self == .atRisk || self == .lost }
}
