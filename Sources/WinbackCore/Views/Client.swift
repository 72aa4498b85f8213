/// A client as `winback clients` lists it: who, whose, where, and what it has bought.
public struct ClientSummary: Sendable, Equatable {
    public var clientID: String
    public var name: String?
    public var manager: String?
    public var region: String?
    /// The first and last day with a sale (not a return); nil for a client known only from master data.
    public var firstPurchase: Day?
    public var lastPurchase: Day?
    /// Distinct documents, credit notes included.
    public var documents: Int
    /// Sum of all line amounts, returns included.
    public var revenue: Money
    /// What the latest scan said; nil before the first scan.
    public var state: ClientState?

    public init(
        clientID: String, name: String? = nil, manager: String? = nil, region: String? = nil,
        firstPurchase: Day? = nil, lastPurchase: Day? = nil, documents: Int, revenue: Money, state: ClientState? = nil
    ) {
        self.clientID = clientID
        self.name = name
        self.manager = manager
        self.region = region
        self.firstPurchase = firstPurchase
        self.lastPurchase = lastPurchase
        self.documents = documents
        self.revenue = revenue
        self.state = state
    }
}

/// A client as the latest scan saw it: status, classes, rhythm, findings.
public struct ClientState: Sendable, Equatable {
    public var asOf: Day
    public var status: ClientStatus
    public var statusSince: Day
    public var reason: String
    public var abc: ABCClass
    public var xyz: XYZClass?
    public var variation: Double?
    public var share: Double
    public var dependence: Dependence
    public var revenue: Money
    public var margin: Money?
    public var firstPurchase: Day?
    public var lastPurchase: Day?
    public var purchaseDays: Int
    /// Its rhythm: the typical days between purchases (`typical_interval` in the store and in JSON).
    public var rhythm: Double?
    public var spread: Double?
    public var expectedNext: Day?
    public var daysSilent: Int?
    public var findings: [Finding]
    /// The purchase model's chance that the client still buys, and its expected purchases over the horizon.
    public var pAlive: Double?
    public var expectedPurchases: Double?
    public var expectedValue: Money?
    public var valueAtRisk: Money?
    /// The chance of at least one purchase within the horizon, from the same model.
    public var pBuy: Double?
    /// How often a client still buying would be as silent: what its silence verdict is measured by.
    public var silenceProbability: Double?
    /// Its mean gap in working days, how much its gaps vary, and its season ("usually buys March to October").
    public var meanGap: Double?
    public var gapVariation: Double?
    public var season: String?

    /// Whole purchase cycles passed without a purchase (silence over rhythm, less the cycle under way).
    public var missedCycles: Int? { AlertRules.missedCycles(daysSilent: daysSilent, rhythm: rhythm) }

    public init(
        asOf: Day, status: ClientStatus, statusSince: Day, reason: String, abc: ABCClass, xyz: XYZClass? = nil,
        variation: Double? = nil, share: Double, dependence: Dependence, revenue: Money, margin: Money? = nil,
        firstPurchase: Day? = nil, lastPurchase: Day? = nil, purchaseDays: Int, rhythm: Double? = nil,
        spread: Double? = nil, expectedNext: Day? = nil, daysSilent: Int? = nil, findings: [Finding],
        pAlive: Double? = nil, expectedPurchases: Double? = nil, expectedValue: Money? = nil,
        valueAtRisk: Money? = nil, pBuy: Double? = nil, silenceProbability: Double? = nil, meanGap: Double? = nil,
        gapVariation: Double? = nil, season: String? = nil
    ) {
        self.asOf = asOf
        self.status = status
        self.statusSince = statusSince
        self.reason = reason
        self.abc = abc
        self.xyz = xyz
        self.variation = variation
        self.share = share
        self.dependence = dependence
        self.revenue = revenue
        self.margin = margin
        self.firstPurchase = firstPurchase
        self.lastPurchase = lastPurchase
        self.purchaseDays = purchaseDays
        self.rhythm = rhythm
        self.spread = spread
        self.expectedNext = expectedNext
        self.daysSilent = daysSilent
        self.findings = findings
        self.pAlive = pAlive
        self.expectedPurchases = expectedPurchases
        self.expectedValue = expectedValue
        self.valueAtRisk = valueAtRisk
        self.pBuy = pBuy
        self.silenceProbability = silenceProbability
        self.meanGap = meanGap
        self.gapVariation = gapVariation
        self.season = season
    }
}

/// One change of a client's status, as a scan decided it.
public struct StatusChange: Sendable, Equatable {
    public var day: Day
    public var from: ClientStatus?
    public var to: ClientStatus
    public var reason: String

    public init(
        day: Day, from: ClientStatus? = nil, to: ClientStatus, reason: String
    ) {
        self.day = day
        self.from = from
        self.to = to
        self.reason = reason
    }
}

/// What a scan knows of each client besides its sales: master data, contacts, dossier.
public struct ClientContext: Sendable {
    public var clientID: String
    public var name: String?
    public var manager: String?
    public var region: String?
    public var dossierReviewed: Day?
    public var lastPositiveContact: Day?
    public var lastNegativeContact: Day?

    public init(
        clientID: String, name: String? = nil, manager: String? = nil, region: String? = nil,
        dossierReviewed: Day? = nil, lastPositiveContact: Day? = nil, lastNegativeContact: Day? = nil
    ) {
        self.clientID = clientID
        self.name = name
        self.manager = manager
        self.region = region
        self.dossierReviewed = dossierReviewed
        self.lastPositiveContact = lastPositiveContact
        self.lastNegativeContact = lastNegativeContact
    }
}
