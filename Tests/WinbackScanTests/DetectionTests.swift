import Testing
import WinbackCore
import WinbackSimulation

/// Detection judged against known truth: a generated book of clients of every rhythm, some of which stop,
/// slow down, decline, drop a category or come back.
@Suite("Detection on a generated scenario")
struct DetectionTests {
    static let scenario = SalesScenario(
        clients: 1500, start: Day(iso: "2023-07-01")!, end: Day(iso: "2025-06-30")!, seed: 2026)

    static func score(asOf: Day, settings: ChurnSettings = ChurnSettings()) -> DetectionScore {
        let generator = SalesGenerator(scenario)
        var lines: [SaleLine] = []
        generator.generate { line in
            if line.day <= asOf { lines.append(line) }
        }
        var statuses: [String: ClientStatus] = [:]
        var last: [String: Day] = [:]
        // As a scan does it: each client on its own, then the purchase model over all of them.
        var assessments = ClientHistory.from(lines).map {
            Assessment(history: $0, previous: nil, asOf: asOf, settings: settings)
        }
        _ = SilenceStage.apply(to: &assessments, previous: Array(repeating: nil, count: assessments.count), settings: settings)
        for assessment in assessments {
            statuses[assessment.facts.clientID] = assessment.status.status
            last[assessment.facts.clientID] = assessment.facts.lastPurchase
        }
        return DetectionScore(clients: generator.clients, statuses: statuses, lastPurchase: last, asOf: asOf)
    }

    @Test("regular clients are left alone and clients that stopped are found", arguments: ["2025-06-30", "2024-12-31"])
    func precisionAndRecall(_ day: String) {
        let score = Self.score(asOf: Day(iso: day)!)
        print("as of \(day):\n\(score)")
        #expect(score.falseAlarmRate <= 0.01, "\(score)")
        #expect(score.flaggedPrecision >= 0.93, "\(score)")
        // This book's decliners cut spend by 50-55 %: within what a steady client's windows vary by chance for many of
        // them, so the decline criterion (a fall beyond three times the client's own spread) leaves those alone.
        #expect(score.flaggedRecall >= 0.7, "\(score)")
        #expect(score.lostPrecision >= 0.97, "\(score)")
        #expect(score.lostRecall >= 0.96, "\(score)")
    }
}
