/// Everything a scan concludes about one client on one day, apart from its classes (which need all clients).
public struct Assessment: Sendable, Equatable {
    public var facts: ClientFacts
    public var findings: [Finding]
    public var status: StatusDecision
    /// Since when `status` holds: carried over from the previous scan when unchanged, else the scan's day.
    public var statusSince: Day

    /// Assesses one client as of `asOf`, knowing what earlier scans decided, with the criteria a client can be judged
    /// by on its own; the silence verdicts need the whole book and come in ``SilenceStage``.
    public init(
        history: ClientHistory, previous: StatusSince?, asOf: Day, settings: ChurnSettings,
        calendar: BusinessCalendar? = nil
    ) {
        let known = history.known(asOf: asOf)
        facts = ClientFacts(history: known, asOf: asOf, settings: settings, calendar: calendar)
        findings = Criteria.evaluate(history: known, facts: facts, settings: settings, calendar: calendar)
        status = StatusDecision.decide(
            previous: previous, facts: facts, findings: findings, settings: settings.status, numbers: settings.numbers)
        statusSince = previous?.status == status.status ? previous!.since : asOf
    }
}
