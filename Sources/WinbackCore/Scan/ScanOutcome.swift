/// One client as a scan judged it, with what else is known of it: an outcome's input.
public struct JudgedClient: Sendable {
    public var assessment: Assessment
    public var classes: ClientClasses
    /// Its status before the scan's day, if it had one.
    public var previous: StatusSince?
    /// Master data, contacts and dossier; nil for a client the master data does not know.
    public var context: ClientContext?
    /// The purchase model's view (p_alive, p_buy, value at risk), when the model judged it.
    public var model: ModelView?

    public init(
        assessment: Assessment, classes: ClientClasses, previous: StatusSince?, context: ClientContext?,
        model: ModelView?
    ) {
        self.assessment = assessment
        self.classes = classes
        self.previous = previous
        self.context = context
        self.model = model
    }
}

/// A client for the win-back list, before it is ranked and named.
public struct WinbackCandidate<Key: Hashable & Sendable>: Sendable, Equatable {
    public var client: Key
    public var status: ClientStatus
    public var reason: String
    public var value: Money
    public var missedCycles: Int?
    /// The offer of the client's loss alert.
    public var offer: Offer?
    public var pAlive: Double?
    /// The yearly value times the chance the client is gone.
    public var valueAtRisk: Money?
    /// The chance of a purchase within the horizon.
    public var pBuy: Double?
    /// The client's ABC class in the same scan.
    public var abc: ABCClass?

    public init(
        client: Key, status: ClientStatus, reason: String, value: Money, missedCycles: Int?, offer: Offer?,
        pAlive: Double? = nil, valueAtRisk: Money? = nil, pBuy: Double? = nil, abc: ABCClass? = nil
    ) {
        self.client = client
        self.status = status
        self.reason = reason
        self.value = value
        self.missedCycles = missedCycles
        self.offer = offer
        self.pAlive = pAlive
        self.valueAtRisk = valueAtRisk
        self.pBuy = pBuy
        self.abc = abc
    }
}

/// What a scan raises and counts once every client is judged: its alerts, the win-back list, the failure
/// statistics, and who was won back. The one place where a failing status puts a client on the list with its
/// loss alert's offer, and where a won-back client is told apart.
///
/// `Key` is how the caller names a client (the store's row id).
public struct ScanOutcome<Key: Hashable & Sendable>: Sendable {
    /// Alerts the rules raised, by client (nil: about the book, such as a stopped feed).
    public var alerts: [(client: Key?, candidate: AlertCandidate)] = []
    /// Clients at risk or lost, highest yearly value first.
    public var winback: [WinbackCandidate<Key>] = []
    public var failures: [FailureDimension: [String: FailureCounts]] = [:]
    /// Clients won back from lost in this scan: their loss alerts resolve as `won_back`.
    public var wonBack: Set<Key> = []

    public init(
        alerts: [(client: Key?, candidate: AlertCandidate)] = [], winback: [WinbackCandidate<Key>] = [],
        failures: [FailureDimension: [String: FailureCounts]] = [:], wonBack: Set<Key> = []
    ) {
        self.alerts = alerts
        self.winback = winback
        self.failures = failures
        self.wonBack = wonBack
    }

    /// The outcome of judging `clients` (in the caller's order, which breaks ties on the list) with `settings`.
    /// `bookAlerts` come first (a stopped feed); `contactsTracked` and `dossiersTracked` say whether contact
    /// gaps and stale dossiers can be told at all.
    public init(
        clients: [(key: Key, client: JudgedClient)], bookAlerts: [AlertCandidate] = [], settings: ChurnSettings,
        contactsTracked: Bool, dossiersTracked: Bool
    ) {
        alerts = bookAlerts.map { (nil, $0) }
        var failureInputs: [FailureInput] = []
        failureInputs.reserveCapacity(clients.count)
        // Each list candidate's place in `clients`, which breaks ties in value.
        var listedAt: [Int] = []
        // By index: a client taken out of `clients` whole is copied, fields and all.
        for index in clients.indices {
            let key = clients[index].key
            let assessment = clients[index].client.assessment
            let context = clients[index].client.context
            let classes = clients[index].client.classes
            let previous = clients[index].client.previous
            let model = clients[index].client.model
            let subject = AlertSubject(
                clientID: assessment.facts.clientID, name: context?.name, assessment: assessment,
                classes: classes, previous: previous, lastPositiveContact: context?.lastPositiveContact,
                lastNegativeContact: context?.lastNegativeContact, contactsTracked: contactsTracked,
                dossierReviewed: context?.dossierReviewed, dossiersTracked: dossiersTracked)
            let candidates = AlertRules.candidates(for: subject, settings: settings)
            alerts += candidates.map { (key, $0) }
            let status = assessment.status.status
            if status == .wonBack, previous?.status == .lost { wonBack.insert(key) }
            if status.isFailing {
                listedAt.append(index)
                winback.append(
                    WinbackCandidate(
                        client: key, status: status, reason: assessment.status.reason,
                        value: assessment.facts.yearlyValue,
                        missedCycles: AlertRules.missedCycles(assessment.facts),
                        offer: candidates.first { $0.kind.isLoss }?.offer, pAlive: model?.pAlive,
                        valueAtRisk: model?.valueAtRisk, pBuy: model?.pBuy, abc: classes.abc))
            }
            failureInputs.append(
                FailureInput(
                    status: status, previous: previous?.status, abc: classes.abc, region: context?.region,
                    manager: context?.manager,
                    categories: FailureAccounting.directions(
                        assessment.facts.categories, minShare: settings.categoryDrop.minShare),
                    droppedCategories: assessment.findings.compactMap {
                        $0.criterion == .categoryDrop ? $0.category : nil
                    },
                    yearlyValue: assessment.facts.yearlyValue))
        }
        let ranked = winback.indices.sorted {
            (winback[$0].value, listedAt[$1]) > (winback[$1].value, listedAt[$0])
        }
        winback = ranked.map { winback[$0] }
        failures = FailureAccounting.count(failureInputs)
    }
}
