import Testing
import WinbackCore

@Suite("A scan's outcome")
struct ScanOutcomeTests {
    let classes = ClientClasses(abc: .a, xyz: .y, variation: 0.2, share: 0.05, dependence: .none)

    func client(_ days: [ActivityDay], asOf: String, previous: StatusSince? = nil) -> JudgedClient {
        JudgedClient(
            assessment: assess(days, asOf: asOf, previous: previous), classes: classes, previous: previous,
            context: ClientContext(clientID: "C1", name: "Nordbau GmbH", manager: "Eva", region: "North"), model: nil)
    }

    @Test(
        "a failing client is on the list with its loss alert's offer; steady and won-back ones are not; ties keep the caller's order"
    )
    func listAndWonBack() throws {
        let weekly = regular(every: 7, from: "2024-01-01", through: "2024-06-02", amount: 1000)
        let gone = client(weekly, asOf: "2024-07-20")
        let steady = client(
            regular(every: 7, from: "2024-01-01", through: "2024-07-14", amount: 1000), asOf: "2024-07-20")
        let back = client(
            weekly + regular(every: 7, from: "2024-07-15", through: "2024-07-19", amount: 1000), asOf: "2024-07-20",
            previous: StatusSince(.lost, since: Day(iso: "2024-07-01")!))
        #expect(gone.assessment.status.status == .lost)
        #expect(back.assessment.status.status == .wonBack)
        let outcome = ScanOutcome(
            clients: [
                (key: 3, client: gone), (key: 1, client: steady), (key: 2, client: back), (key: 0, client: gone),
            ],
            settings: ChurnSettings(), contactsTracked: false, dossiersTracked: false)
        #expect(outcome.winback.map(\.client) == [3, 0], "value ties keep the caller's order, not the keys'")
        let loss = try #require(outcome.alerts.first { $0.client == 3 && $0.candidate.kind.isLoss })
        #expect(outcome.winback.first?.offer == loss.candidate.offer)
        #expect(outcome.winback.first?.offer != nil)
        #expect(outcome.wonBack == [2])
        #expect(outcome.failures[.all]?["all"]?.lost == 2)
    }
}
