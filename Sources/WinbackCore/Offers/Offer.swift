/// How a client is to be won back.
public enum OfferKind: String, Sendable, CaseIterable, Codable {
    /// A special offer in writing.
    case offer
    case discount
    case gift
    /// A personal visit: personal contact, paused after a negative one.
    case visit
}

/// The suggested way to win a client back, from the first offer rule that matches it.
public struct Offer: Sendable, Equatable, Codable {
    public var kind: OfferKind
    public var text: String
    /// Percent off, for discounts.
    public var discount: Double?
    public var gift: String?
    /// The rule that chose it.
    public var rule: String
    /// Set when a personal contact was due but a negative contact paused it: no visit before this day.
    public var pausedUntil: Day?

    public init(
        kind: OfferKind, text: String, discount: Double? = nil, gift: String? = nil, rule: String,
        pausedUntil: Day? = nil
    ) {
        self.kind = kind
        self.text = text
        self.discount = discount
        self.gift = gift
        self.rule = rule
        self.pausedUntil = pausedUntil
    }
}

/// One offer rule from the config: conditions (all that are set must hold) and the offer it gives.
public struct OfferRule: Sendable, Equatable {
    public var name: String
    public var abc: [ABCClass]?
    public var status: [ClientStatus]?
    public var criteria: [Criterion]?
    /// For a dropped category: the categories it applies to.
    public var categories: [String]?
    public var minShare: Double?
    public var kind: OfferKind
    /// The offer in words; `{category}` becomes the dropped category, `{discount}` the discount.
    public var text: String
    public var discount: Double?
    public var gift: String?

    public init(
        name: String, abc: [ABCClass]? = nil, status: [ClientStatus]? = nil, criteria: [Criterion]? = nil,
        categories: [String]? = nil, minShare: Double? = nil, kind: OfferKind, text: String, discount: Double? = nil,
        gift: String? = nil
    ) {
        self.name = name
        self.abc = abc
        self.status = status
        self.criteria = criteria
        self.categories = categories
        self.minShare = minShare
        self.kind = kind
        self.text = text
        self.discount = discount
        self.gift = gift
    }

    /// The rules used when the config names none: personal attention for A clients, a discount for B,
    /// a written offer for C, and a category offer for a dropped category.
    public static let defaults: [OfferRule] = [
        OfferRule(
            name: "dropped category", criteria: [.categoryDrop], kind: .discount,
            text: "Special offer on {category}: {discount} % off the next three orders", discount: 15),
        OfferRule(
            name: "lost key account", abc: [.a], status: [.lost], kind: .visit,
            text:
                "Personal visit by the head of sales with a loyalty agreement and {discount} % off the first order back",
            discount: 10),
        OfferRule(
            name: "key account at risk", abc: [.a], status: [.atRisk], kind: .visit,
            text: "Personal visit by the key account manager to hear what changed"),
        OfferRule(
            name: "B client lost", abc: [.b], status: [.lost], kind: .discount,
            text: "{discount} % off the next order, by phone from the manager", discount: 10),
        OfferRule(
            name: "B client at risk", abc: [.b], status: [.atRisk], kind: .gift,
            text: "A call from the manager and a gift with the next order", gift: "branded tool set"),
        OfferRule(
            name: "everyone else", kind: .offer, text: "Written special offer: {discount} % off the next order",
            discount: 5),
    ]
}

/// Chooses offers, honouring the pause on personal contact after a negative one.
public enum OfferChooser {
    /// The first rule matching the client, or nil when none does. A `visit` inside the pause after a
    /// negative contact gives way to the first matching rule that is not a visit, with the pause noted.
    public static func choose(
        rules: [OfferRule], status: ClientStatus, classes: ClientClasses, findings: [Finding], asOf: Day,
        lastNegativeContact: Day?, pauseDays: Int
    ) -> Offer? {
        let dropped = findings.first { $0.criterion == .categoryDrop }?.category
        let matching = rules.filter { rule in
            if let abc = rule.abc, !abc.contains(classes.abc) { return false }
            if let statuses = rule.status, !statuses.contains(status) { return false }
            if let criteria = rule.criteria, !findings.contains(where: { criteria.contains($0.criterion) }) {
                return false
            }
            if let categories = rule.categories, !categories.contains(where: { $0 == dropped }) { return false }
            if let minShare = rule.minShare, classes.share < minShare { return false }
            return true
        }
        guard let first = matching.first else { return nil }
        var pausedUntil: Day?
        if let negative = lastNegativeContact, negative <= asOf, negative.days(to: asOf) < pauseDays {
            pausedUntil = negative.adding(days: pauseDays)
        }
        guard first.kind == .visit, let pausedUntil else { return offer(from: first, category: dropped) }
        if let written = matching.first(where: { $0.kind != .visit }) {
            var chosen = offer(from: written, category: dropped)
            chosen.pausedUntil = pausedUntil
            return chosen
        }
        return Offer(
            kind: .offer, text: "A written offer now; no visit before \(pausedUntil.iso) after the negative contact",
            rule: first.name, pausedUntil: pausedUntil)
    }

    static func offer(from rule: OfferRule, category: String?) -> Offer {
        var text = rule.text.replacingAll("{category}", with: category ?? "the category")
        if let discount = rule.discount {
            text = text.replacingAll("{discount}", with: fixed(discount, discount.rounded() == discount ? 0 : 1))
        }
        return Offer(kind: rule.kind, text: text, discount: rule.discount, gift: rule.gift, rule: rule.name)
    }
}

extension String {
    /// Every occurrence of `target` replaced, compared byte by byte: UTF-8 never matches inside a character, and the
    /// collection algorithms' `split` cost a second per 100,000 offers.
    func replacingAll(_ target: String, with replacement: String) -> String {
        let pattern = Array(target.utf8)
        guard let head = pattern.first, utf8.contains(head) else { return self }
        let bytes = Array(utf8)
        var out: [UInt8] = []
        out.reserveCapacity(bytes.count)
        var index = 0
        while index < bytes.count {
            if bytes[index] == head, index + pattern.count <= bytes.count,
                bytes[index..<(index + pattern.count)].elementsEqual(pattern)
            {
                out.append(contentsOf: replacement.utf8)
                index += pattern.count
            } else {
                out.append(bytes[index])
                index += 1
            }
        }
        return String(decoding: out, as: UTF8.self)
    }
}
