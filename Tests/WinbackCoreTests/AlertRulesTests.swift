import Testing
import WinbackCore

@Suite("Alert rules and offers")
struct AlertRulesTests {
    let weekly = regular(every: 7, from: "2024-01-01", through: "2024-06-02", amount: 1000)

    func subject(
        asOf: String, abc: ABCClass = .a, share: Double = 0.05, dependence: Dependence = .none,
        previous: StatusSince? = nil,
        days: [ActivityDay]? = nil, positive: String? = nil, negative: String? = nil, contacts: Bool = false,
        dossier: String? = nil, dossiers: Bool = false
    ) -> AlertSubject {
        let assessment = assess(days ?? weekly, asOf: asOf, previous: previous)
        return AlertSubject(
            clientID: "C1", name: "Nordbau GmbH", assessment: assessment,
            classes: ClientClasses(abc: abc, xyz: .y, variation: 0.2, share: share, dependence: dependence),
            previous: previous, lastPositiveContact: positive.flatMap { Day(iso: $0) },
            lastNegativeContact: negative.flatMap { Day(iso: $0) }, contactsTracked: contacts,
            dossierReviewed: dossier.flatMap { Day(iso: $0) }, dossiersTracked: dossiers)
    }

    @Test("a fall in order sizes is titled with the orders, not with a window's revenue")
    func orderSizeTitle() throws {
        let days = CriteriaTests.orders(then: [20, 22, 18])
        let alerts = AlertRules.candidates(
            for: subject(asOf: days.last!.day.iso, days: days), settings: ChurnSettings())
        let decline = try #require(alerts.first { $0.kind == .decline })
        #expect(decline.title.hasSuffix(": last 3 orders −80 %"), "\(decline.title)")
    }

    @Test("losing an A client is critical, with the numbers and a personal visit offered")
    func lostAClient() throws {
        let alerts = AlertRules.candidates(for: subject(asOf: "2024-07-20"), settings: ChurnSettings())
        let lost = try #require(alerts.first { $0.kind == .lost })
        #expect(lost.severity == .critical)
        #expect(lost.title == "A-client Nordbau GmbH (C1) lost: silent 54 days, buys every 7")
        #expect(lost.explanation.contains("buys every 7 days (fairly regular"))
        #expect(lost.explanation.contains("silent for 54 days"))
        #expect(lost.explanation.contains("a client still buying is this silent less than once in"))
        #expect(lost.explanation.contains("6 purchase cycles missed"))
        #expect(lost.offer?.kind == .visit)
        #expect(
            lost.offer?.text
                == "Personal visit by the head of sales with a loyalty agreement and 10 % off the first order back")
        #expect(lost.value == Money(units: 22_000))
    }

    @Test("B and C clients: warning and info")
    func severityByClass() {
        #expect(
            AlertRules.candidates(for: subject(asOf: "2024-07-20", abc: .b), settings: ChurnSettings()).first?.severity
                == .warning)
        #expect(
            AlertRules.candidates(for: subject(asOf: "2024-07-20", abc: .c), settings: ChurnSettings()).first?.severity
                == .info)
    }

    @Test("no personal visit inside the pause after a negative contact, and the offer says until when")
    func pauseAfterNegativeContact() throws {
        let alerts = AlertRules.candidates(
            for: subject(asOf: "2024-07-20", negative: "2024-07-15", contacts: true), settings: ChurnSettings())
        let offer = try #require(alerts.first { $0.kind == .lost }?.offer)
        #expect(offer.kind != .visit)
        #expect(offer.pausedUntil == Day(iso: "2024-07-29"))
        let later = AlertRules.candidates(
            for: subject(asOf: "2024-07-30", negative: "2024-07-15", contacts: true), settings: ChurnSettings())
        #expect(later.first { $0.kind == .lost }?.offer?.kind == .visit)
    }

    @Test("a key client without a positive contact for 10 days raises contact_gap, once contacts are tracked")
    func contactGap() {
        let settings = ChurnSettings()
        let active = "2024-06-05"
        #expect(
            !AlertRules.candidates(for: subject(asOf: active), settings: settings).contains { $0.kind == .contactGap })
        let gap = AlertRules.candidates(
            for: subject(asOf: active, positive: "2024-05-20", contacts: true), settings: settings)
        #expect(
            gap.first { $0.kind == .contactGap }?.title
                == "No positive contact with A-client Nordbau GmbH (C1) for 16 days")
        let recent = AlertRules.candidates(
            for: subject(asOf: active, positive: "2024-05-30", contacts: true), settings: settings)
        #expect(!recent.contains { $0.kind == .contactGap })
        let cClient = AlertRules.candidates(for: subject(asOf: active, abc: .c, contacts: true), settings: settings)
        #expect(!cClient.contains { $0.kind == .contactGap }, "only key clients")
    }

    @Test("a key client's dossier older than three months is stale")
    func dossier() {
        let stale = AlertRules.candidates(
            for: subject(asOf: "2024-06-05", dossier: "2024-02-01", dossiers: true), settings: ChurnSettings())
        #expect(
            stale.first { $0.kind == .dossierStale }?.explanation.hasPrefix("last reviewed 2024-02-01, 125 days ago")
                == true)
        let fresh = AlertRules.candidates(
            for: subject(asOf: "2024-06-05", dossier: "2024-05-01", dossiers: true), settings: ChurnSettings())
        #expect(!fresh.contains { $0.kind == .dossierStale })
    }

    @Test("concentration: key is info, critical a warning, mono-client critical")
    func concentration() {
        let settings = ChurnSettings()
        func severity(_ dependence: Dependence, _ share: Double) -> Severity? {
            AlertRules.candidates(
                for: subject(asOf: "2024-06-05", share: share, dependence: dependence), settings: settings
            )
            .first { $0.kind == .concentration }?.severity
        }
        #expect(severity(.none, 0.05) == nil)
        #expect(severity(.key, 0.12) == .info)
        #expect(severity(.critical, 0.3) == .warning)
        #expect(severity(.mono, 0.6) == .critical)
    }

    @Test("a client that comes back raises won_back")
    func wonBack() {
        let back = weekly + regular(every: 7, from: "2024-08-10", through: "2024-08-24")
        let alerts = AlertRules.candidates(
            for: subject(asOf: "2024-08-25", previous: StatusSince(.lost, since: Day(iso: "2024-08-01")!), days: back),
            settings: ChurnSettings())
        #expect(alerts.map(\.kind).contains(.wonBack))
        #expect(!alerts.contains { $0.kind == .lost || $0.kind == .atRisk })
    }

    @Test("offer rules: first match wins; a dropped category gets its own offer")
    func offerRules() {
        let classes = ClientClasses(abc: .c, xyz: nil, variation: nil, share: 0.01, dependence: .none)
        let drop = Finding(criterion: .categoryDrop, verdict: .flag, category: "Tools", numbers: [], explanation: "")
        let offer = OfferChooser.choose(
            rules: OfferRule.defaults, status: .active, classes: classes, findings: [drop],
            asOf: Day(iso: "2024-01-01")!,
            lastNegativeContact: nil, pauseDays: 14)
        #expect(offer?.text == "Special offer on Tools: 15 % off the next three orders")
        let plain = OfferChooser.choose(
            rules: OfferRule.defaults, status: .lost, classes: classes, findings: [], asOf: Day(iso: "2024-01-01")!,
            lastNegativeContact: nil, pauseDays: 14)
        #expect(plain?.rule == "everyone else")
        #expect(
            OfferChooser.choose(
                rules: [], status: .lost, classes: classes, findings: [], asOf: Day(iso: "2024-01-01")!,
                lastNegativeContact: nil, pauseDays: 14) == nil)
    }

    @Test("an offer's placeholders are replaced wherever they stand, next to each other and beside accents")
    func offerPlaceholders() {
        let classes = ClientClasses(abc: .c, xyz: nil, variation: nil, share: 0.01, dependence: .none)
        let drop = Finding(criterion: .categoryDrop, verdict: .flag, category: "Böden", numbers: [], explanation: "")
        func text(_ template: String, findings: [Finding]) -> String? {
            OfferChooser.choose(
                rules: [OfferRule(name: "r", kind: .discount, text: template, discount: 7.5)], status: .lost,
                classes: classes, findings: findings, asOf: Day(iso: "2024-01-01")!, lastNegativeContact: nil,
                pauseDays: 14)?.text
        }
        #expect(text("{category}{category} für {discount} %", findings: [drop]) == "BödenBöden für 7.5 %")
        #expect(text("Ö {category}: {discount", findings: []) == "Ö the category: {discount")
        #expect(text("ohne Platzhalter {", findings: [drop]) == "ohne Platzhalter {")
    }

    @Test("failures are counted overall and by direction, with the day's changes and the revenue at stake")
    func failureCounts() {
        let inputs = [
            FailureInput(
                status: .lost, previous: .atRisk, abc: .a, region: "North", manager: "Anna", categories: [("Tools", 1)],
                droppedCategories: [], yearlyValue: Money(units: 100)),
            FailureInput(
                status: .atRisk, previous: .active, abc: .b, region: "North", manager: "Boris",
                categories: [("Tools", 1)], droppedCategories: ["Safety"], yearlyValue: Money(units: 50)),
            FailureInput(
                status: .active, previous: .active, abc: .c, region: nil, manager: "Anna", categories: [],
                droppedCategories: [], yearlyValue: Money(units: 10)),
            FailureInput(
                status: .wonBack, previous: .lost, abc: .c, region: "South", manager: "Anna",
                categories: [("Safety", 1)], droppedCategories: [], yearlyValue: Money(units: 5)),
        ]
        let counts = FailureAccounting.count(inputs)
        let all = counts[.all]!["all"]!
        #expect((all.clients, all.atRisk, all.lost, all.wonBack, all.active) == (4, 1, 1, 1, 1))
        #expect((all.becameAtRisk, all.becameLost, all.cameBack, all.categoryDrops) == (1, 1, 1, 1))
        #expect(all.revenueAtRisk == Money(units: 150))
        #expect(counts[.region]!["North"]!.revenueAtRisk == Money(units: 150))
        #expect(counts[.region]!["(none)"]!.clients == 1)
        #expect(counts[.manager]!["Anna"]!.lost == 1)
        #expect(counts[.category]!["Safety"]!.categoryDrops == 1)
        #expect(counts[.category]!["Tools"]!.atRisk == 1)
        #expect(counts[.class]!["A"]!.lost == 1)
        // Category drops count in every direction, not only by category.
        #expect(counts[.region]!["North"]!.categoryDrops == 1)
        #expect(counts[.manager]!["Boris"]!.categoryDrops == 1)
        #expect(counts[.class]!["B"]!.categoryDrops == 1)
    }

    @Test("a client that buys two categories on every order counts in both, its revenue at risk split by share")
    func failuresInEveryRegularCategory() {
        // Both on every purchase day: an alphabetical tie-break used to put every loss under "Adhesives".
        let stats = [
            ClientFacts.CategoryStat(
                category: "Adhesives", purchases: 20, share: 1, lastPurchase: Day(iso: "2024-03-01")!,
                purchasesSince: 0,
                revenue: Money(units: 250)),
            ClientFacts.CategoryStat(
                category: "Tools", purchases: 20, share: 1, lastPurchase: Day(iso: "2024-03-01")!, purchasesSince: 0,
                revenue: Money(units: 750)),
            ClientFacts.CategoryStat(
                category: "Gloves", purchases: 1, share: 0.05, lastPurchase: Day(iso: "2024-01-01")!,
                purchasesSince: 19,
                revenue: Money(units: 10)),
        ]
        let directions = FailureAccounting.directions(stats, minShare: 0.3)
        #expect(directions.map(\.category) == ["Adhesives", "Tools"], "Gloves is not bought regularly")
        let counts = FailureAccounting.count([
            FailureInput(
                status: .lost, previous: .active, abc: .a, region: nil, manager: nil, categories: directions,
                droppedCategories: [], yearlyValue: Money(units: 1000))
        ])
        #expect(counts[.category]!["Adhesives"]!.lost == 1)
        #expect(counts[.category]!["Tools"]!.lost == 1)
        #expect(counts[.category]!["Adhesives"]!.revenueAtRisk == Money(units: 250))
        #expect(counts[.category]!["Tools"]!.revenueAtRisk == Money(units: 750))
        #expect(counts[.all]!["all"]!.revenueAtRisk == Money(units: 1000))
    }
}
