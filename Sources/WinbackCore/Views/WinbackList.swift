/// One client on the win-back list, with who it is and the offer for it.
public struct WinbackListEntry: Sendable, Equatable {
    public var rank: Int
    public var clientID: String
    public var clientName: String?
    public var manager: String?
    public var region: String?
    public var status: ClientStatus
    public var reason: String
    public var value: Money
    public var missedCycles: Int?
    public var offer: Offer?
    public var abc: ABCClass?
    public var asOf: Day
    public var pAlive: Double?
    public var valueAtRisk: Money?
    public var pBuy: Double?

    public init(
        rank: Int, clientID: String, clientName: String?, manager: String?, region: String?, status: ClientStatus,
        reason: String, value: Money, missedCycles: Int?, offer: Offer?, abc: ABCClass?, asOf: Day, pAlive: Double?,
        valueAtRisk: Money?, pBuy: Double? = nil
    ) {
        self.pBuy = pBuy
        self.rank = rank
        self.clientID = clientID
        self.clientName = clientName
        self.manager = manager
        self.region = region
        self.status = status
        self.reason = reason
        self.value = value
        self.missedCycles = missedCycles
        self.offer = offer
        self.abc = abc
        self.asOf = asOf
        self.pAlive = pAlive
        self.valueAtRisk = valueAtRisk
    }
}

/// What one day's outbox shows: the alerts open that day, the win-back list, the failure counts up to that day
/// and what the data covers.
///
/// For the latest day it is read from the live book; a replay of an earlier day builds it from what that scan
/// found, so the day's files can be written without moving the live book back in time.
public struct DayView: Sendable, Equatable {
    public var asOf: Day
    public var alerts: [Alert]
    public var winback: [WinbackListEntry]
    /// Failure counts per scan day up to `asOf`, oldest first, in each dimension (`.all` for the whole book).
    public var trend: [FailureDimension: [FailurePoint]]
    /// What the data covers, and whether the feed had stopped.
    public var feed: FeedCheck?

    public init(
        asOf: Day, alerts: [Alert], winback: [WinbackListEntry], trend: [FailureDimension: [FailurePoint]] = [:],
        feed: FeedCheck? = nil
    ) {
        self.asOf = asOf
        self.alerts = alerts
        self.winback = winback
        self.trend = trend
        self.feed = feed
    }
}

/// Who a client is, as a replay's outbox names it.
public struct ClientLabel: Sendable {
    public var clientID: String
    public var name: String?
    public var manager: String?
    public var region: String?
    public var abc: ABCClass?

    public init(clientID: String, name: String?, manager: String?, region: String?, abc: ABCClass?) {
        self.clientID = clientID
        self.name = name
        self.manager = manager
        self.region = region
        self.abc = abc
    }
}
