/// One line of a sales document (an invoice, an order or a credit note), as the ERP exported it.
///
/// A return or a credit note is a line with a negative `amount` (and usually a negative `quantity`).
/// `document` and `line` together identify the line: the same pair imported twice is stored once.
public struct SaleLine: Sendable, Equatable {
    public var day: Day
    public var clientID: String
    public var clientName: String?
    public var document: String
    public var line: Int
    public var sku: String?
    public var category: String?
    public var quantity: Double
    public var amount: Money
    public var margin: Money?
    public var manager: String?
    public var region: String?

    public init(
        day: Day, clientID: String, clientName: String? = nil, document: String, line: Int,
        sku: String? = nil, category: String? = nil, quantity: Double = 1, amount: Money,
        margin: Money? = nil, manager: String? = nil, region: String? = nil
    ) {
        self.day = day
        self.clientID = clientID
        self.clientName = clientName
        self.document = document
        self.line = line
        self.sku = sku
        self.category = category
        self.quantity = quantity
        self.amount = amount
        self.margin = margin
        self.manager = manager
        self.region = region
    }

    /// A return or a credit note line.
    public var isReturn: Bool { amount < .zero }
}

/// How a contact with a client went, as the KAM recorded it.
public enum ContactOutcome: String, Sendable, CaseIterable, Codable {
    case positive, neutral, negative
}

/// A recorded contact between a manager and a client: a call, a visit, a meeting.
public struct Contact: Sendable, Equatable {
    public var day: Day
    public var clientID: String
    public var manager: String?
    public var outcome: ContactOutcome
    public var note: String?

    public init(day: Day, clientID: String, manager: String?, outcome: ContactOutcome, note: String? = nil) {
        self.day = day
        self.clientID = clientID
        self.manager = manager
        self.outcome = outcome
        self.note = note
    }
}

/// What the company's client master data says about a client: the clients CSV, one row per client.
public struct ClientProfile: Sendable, Equatable {
    public var clientID: String
    public var name: String?
    public var manager: String?
    public var region: String?
    public var segment: String?
    /// When the key-account dossier was last reviewed.
    public var dossierReviewed: Day?

    public init(
        clientID: String, name: String? = nil, manager: String? = nil, region: String? = nil,
        segment: String? = nil, dossierReviewed: Day? = nil
    ) {
        self.clientID = clientID
        self.name = name
        self.manager = manager
        self.region = region
        self.segment = segment
        self.dossierReviewed = dossierReviewed
    }
}
