// The read models: plain values that the store fetches and the reports render.

/// An alert as the sales team works it: what a scan's rules raised (an ``AlertCandidate``), where it stands,
/// and which client it is about, by id, name and manager.
public struct Alert: Sendable, Equatable {
    public var id: Int64
    public var clientID: String?
    public var clientName: String?
    public var manager: String?
    public var kind: AlertKind
    public var category: String?
    public var severity: Severity
    public var status: AlertStatus
    public var snoozedUntil: Day?
    public var resolution: String?
    public var title: String
    public var explanation: String
    public var offer: Offer?
    public var value: Money?
    public var firstSeen: Day
    public var lastSeen: Day
    public var resolvedOn: Day?

    public init(
        id: Int64, clientID: String?, clientName: String?, manager: String?, kind: AlertKind, category: String?,
        severity: Severity, status: AlertStatus, snoozedUntil: Day? = nil, resolution: String? = nil, title: String,
        explanation: String, offer: Offer?, value: Money?, firstSeen: Day, lastSeen: Day, resolvedOn: Day? = nil
    ) {
        self.id = id
        self.clientID = clientID
        self.clientName = clientName
        self.manager = manager
        self.kind = kind
        self.category = category
        self.severity = severity
        self.status = status
        self.snoozedUntil = snoozedUntil
        self.resolution = resolution
        self.title = title
        self.explanation = explanation
        self.offer = offer
        self.value = value
        self.firstSeen = firstSeen
        self.lastSeen = lastSeen
        self.resolvedOn = resolvedOn
    }
}
