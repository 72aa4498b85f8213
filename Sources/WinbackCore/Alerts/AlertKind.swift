/// What an alert is about.
public enum AlertKind: String, Sendable, CaseIterable, Codable {
    case atRisk = "at_risk"
    case lost
    case decline
    case categoryDrop = "category_drop"
    case returns
    case wonBack = "won_back"
    case concentration
    case contactGap = "contact_gap"
    case dossierStale = "dossier_stale"
    case importRejected = "import_rejected"
    /// No sales have come in for longer than the book is ever normally silent.
    case feedStale = "feed_stale"
    /// A scheduled scan failed; the daemon retries it.
    case scanFailed = "scan_failed"
    /// The `[notify] command` failed after the outbox was written.
    case notifyFailed = "notify_failed"

    /// Kinds that hold while a condition holds, and resolve themselves when it clears. A won-back alert holds
    /// while the client stays won back: it clears when that period ends or the client relapses.
    public var clearsItself: Bool { self != .importRejected && self != .scanFailed && self != .notifyFailed }

    /// Kinds about the loss of a client: a won-back client's open ones resolve as `won_back`.
    public var isLoss: Bool { self == .atRisk || self == .lost || self == .decline }
}

/// How urgent an alert is.
public enum Severity: String, Sendable, CaseIterable, Codable, Comparable {
    case info, warning, critical

    private var rank: Int {
        switch self {
        case .info: return 0
        case .warning: return 1
        case .critical: return 2
        }
    }

    public static func < (lhs: Severity, rhs: Severity) -> Bool { lhs.rank < rhs.rank }
}

/// Where an alert stands in the sales team's work.
public enum AlertStatus: String, Sendable, CaseIterable, Codable {
    case new, acknowledged, snoozed, resolved
}

/// An alert that a scan's rules raise: the store turns it into a new alert or updates the open one of the
/// same client, kind and category.
public struct AlertCandidate: Sendable, Equatable {
    public var clientID: String?
    public var kind: AlertKind
    /// The category of a `category_drop`; part of what makes an episode.
    public var category: String?
    public var severity: Severity
    /// One line: "A-client Nordbau GmbH lost: silent 67 days, buys every 14".
    public var title: String
    /// The plain explanation with the numbers behind it.
    public var explanation: String
    public var offer: Offer?
    /// What is at stake: the client's yearly revenue before the loss.
    public var value: Money?

    public init(
        clientID: String?, kind: AlertKind, category: String? = nil, severity: Severity, title: String,
        explanation: String, offer: Offer? = nil, value: Money? = nil
    ) {
        self.clientID = clientID
        self.kind = kind
        self.category = category
        self.severity = severity
        self.title = title
        self.explanation = explanation
        self.offer = offer
        self.value = value
    }
}
