/// What a scan knows about a client beyond its assessment: who it is, its contacts, its dossier.
public struct AlertSubject: Sendable {
    public var clientID: String
    public var name: String?
    public var assessment: Assessment
    public var classes: ClientClasses
    public var previous: StatusSince?
    public var lastPositiveContact: Day?
    public var lastNegativeContact: Day?
    /// Whether any contacts were ever imported: without them, no contact gap can be told.
    public var contactsTracked: Bool
    public var dossierReviewed: Day?
    /// Whether any clients file carried dossier dates.
    public var dossiersTracked: Bool

    public init(
        clientID: String, name: String?, assessment: Assessment, classes: ClientClasses, previous: StatusSince?,
        lastPositiveContact: Day? = nil, lastNegativeContact: Day? = nil, contactsTracked: Bool = false,
        dossierReviewed: Day? = nil, dossiersTracked: Bool = false
    ) {
        self.clientID = clientID
        self.name = name
        self.assessment = assessment
        self.classes = classes
        self.previous = previous
        self.lastPositiveContact = lastPositiveContact
        self.lastNegativeContact = lastNegativeContact
        self.contactsTracked = contactsTracked
        self.dossierReviewed = dossierReviewed
        self.dossiersTracked = dossiersTracked
    }

    /// A key client in the key-account rules' sense: class A, or 10 % of revenue or more.
    public var isKeyClient: Bool { classes.abc == .a || classes.dependence != .none }

    /// How the client is named in titles: "A-client Nordbau GmbH (C000123)".
    var label: String {
        let who = name.map { "\($0) (\(clientID))" } ?? clientID
        return "\(classes.abc.rawValue)-client \(who)"
    }
}

/// The rules that turn a scan's verdicts into alerts: pure, so every alert can be replayed and tested.
public enum AlertRules {
    /// Every alert the client warrants on the scan's day.
    public static func candidates(for subject: AlertSubject, settings: ChurnSettings) -> [AlertCandidate] {
        let assessment = subject.assessment
        let facts = assessment.facts
        let status = assessment.status.status
        let asOf = facts.asOf
        var alerts: [AlertCandidate] = []
        let offer = OfferChooser.choose(
            rules: settings.offers, status: status, classes: subject.classes, findings: assessment.findings,
            asOf: asOf, lastNegativeContact: subject.lastNegativeContact,
            pauseDays: settings.contacts.negativePauseDays)

        // The status's own cause: overdue or silence make at_risk / lost alerts, a decline its own.
        if status.isFailing, let cause = assessment.findings.first(where: { $0.verdict != .flag }) {
            let kind: AlertKind = cause.criterion == .decline ? .decline : (status == .lost ? .lost : .atRisk)
            let what: String
            switch kind {
            case .lost: what = "lost"
            case .decline: what = "declining"
            default: what = "at risk"
            }
            var explanation = cause.explanation
            if let missed = missedCycles(facts), missed > 0 {
                explanation += "; \(missed) purchase \(missed == 1 ? "cycle" : "cycles") missed"
            }
            explanation += "; \(settings.numbers.amount(facts.yearlyValue)) in the year to its last purchase"
            alerts.append(
                AlertCandidate(
                    clientID: subject.clientID, kind: kind, severity: lossSeverity(subject.classes.abc),
                    title: "\(subject.label) \(what): \(short(cause, settings.numbers))", explanation: explanation, offer: offer,
                    value: facts.yearlyValue))
        }
        for finding in assessment.findings where finding.criterion == .categoryDrop {
            let category = finding.category ?? ""
            let categoryOffer = OfferChooser.choose(
                rules: settings.offers, status: status, classes: subject.classes, findings: [finding], asOf: asOf,
                lastNegativeContact: subject.lastNegativeContact, pauseDays: settings.contacts.negativePauseDays)
            alerts.append(
                AlertCandidate(
                    clientID: subject.clientID, kind: .categoryDrop, category: category,
                    severity: subject.classes.abc == .a ? .warning : .info,
                    title: "\(subject.label) stopped buying \(category)", explanation: finding.explanation,
                    offer: categoryOffer))
        }
        if let finding = assessment.findings.first(where: { $0.criterion == .returns }) {
            alerts.append(
                AlertCandidate(
                    clientID: subject.clientID, kind: .returns, severity: subject.classes.abc == .a ? .warning : .info,
                    title: "\(subject.label) returns much of what it buys", explanation: finding.explanation))
        }
        // Held while the client stays won back: it clears when the period ends or the client relapses.
        if status == .wonBack {
            let since = subject.previous?.status == .wonBack ? subject.previous!.since : asOf
            alerts.append(
                AlertCandidate(
                    clientID: subject.clientID, kind: .wonBack, severity: .info,
                    title: "\(subject.label) is back: won back on \(since.iso)",
                    explanation: assessment.status.reason, value: facts.yearlyValue))
        }
        let share = subject.classes.share
        switch subject.classes.dependence {
        case .none: break
        case .key, .critical, .mono:
            let (severity, what): (Severity, String) =
                switch subject.classes.dependence {
                case .mono: (.critical, "a mono-client: more than half of all revenue")
                case .critical: (.warning, "a critical dependency: more than a fifth of all revenue")
                default: (.info, "a key client: a tenth of all revenue or more")
                }
            alerts.append(
                AlertCandidate(
                    clientID: subject.clientID, kind: .concentration, category: subject.classes.dependence.rawValue,
                    severity: severity, title: "\(subject.label) brings \(percent(share, signed: false)) of revenue",
                    explanation: "\(percent(share, signed: false)) of revenue over the last "
                        + "\(settings.classes.windowDays) days (\(settings.numbers.amount(facts.revenue))): \(what)",
                    value: facts.revenue))
        }
        if subject.contactsTracked, subject.isKeyClient, status != .lost {
            let days = settings.contacts.positiveContactDays
            let since = subject.lastPositiveContact.map { $0.days(to: asOf) }
            if since.map({ $0 > days }) ?? true {
                var explanation =
                    since.map { "last positive contact \($0) days ago, on \(subject.lastPositiveContact!.iso)" }
                    ?? "no positive contact on record"
                explanation += "; a key client should hear from us at least every \(days) days"
                if let negative = subject.lastNegativeContact,
                    negative.days(to: asOf) < settings.contacts.negativePauseDays
                {
                    explanation +=
                        "; a negative contact on \(negative.iso) pauses personal contact until "
                        + negative.adding(days: settings.contacts.negativePauseDays).iso
                }
                alerts.append(
                    AlertCandidate(
                        clientID: subject.clientID, kind: .contactGap, severity: .warning,
                        title: "No positive contact with \(subject.label) for "
                            + (since.map { "\($0) days" } ?? "ever"),
                        explanation: explanation))
            }
        }
        if subject.dossiersTracked, subject.isKeyClient, status != .lost {
            let days = settings.contacts.dossierReviewDays
            if let reviewed = subject.dossierReviewed, reviewed.days(to: asOf) <= days {
                // Reviewed in time.
            } else {
                alerts.append(
                    AlertCandidate(
                        clientID: subject.clientID, kind: .dossierStale, severity: .info,
                        title: "Dossier of \(subject.label) due for review",
                        explanation: (subject.dossierReviewed.map {
                            "last reviewed \($0.iso), \($0.days(to: asOf)) days ago"
                        }
                            ?? "never reviewed") + "; key-client dossiers are reviewed at least every \(days) days"))
            }
        }
        return alerts
    }

    /// Losing an A client is critical, a B client a warning, a C client worth knowing.
    public static func lossSeverity(_ abc: ABCClass) -> Severity {
        switch abc {
        case .a: return .critical
        case .b: return .warning
        case .c: return .info
        }
    }

    /// Whole purchase cycles that passed without a purchase: silence over rhythm, less the one under way.
    public static func missedCycles(_ facts: ClientFacts) -> Int? {
        missedCycles(daysSilent: facts.daysSilent, rhythm: facts.rhythm)
    }

    public static func missedCycles(daysSilent: Int?, rhythm: Double?) -> Int? {
        guard let daysSilent, let rhythm, rhythm > 0 else { return nil }
        return max(0, Int((Double(daysSilent) / rhythm).rounded(.down)) - 1)
    }

    private static func short(_ finding: Finding, _ style: NumberStyle) -> String {
        switch finding.criterion {
        case .overdue, .silence:
            let silent = Int(finding.number("days_silent") ?? 0)
            if let rhythm = finding.number("typical_interval_days") {
                return "silent \(silent) days, buys every \(style.decimal(fixed(rhythm, rhythm.rounded() == rhythm ? 0 : 1)))"
            }
            return "silent \(silent) days"
        case .decline:
            if let orders = finding.number("orders_recent") {
                return "last \(Int(orders)) orders \(percent(finding.number("change") ?? 0))"
            }
            return "revenue \(percent(finding.number("change_year_ago") ?? finding.number("change_before") ?? 0))"
        default:
            return finding.explanation
        }
    }
}
