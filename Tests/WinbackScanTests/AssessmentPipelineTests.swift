import Testing
import WinbackCore

@testable import WinbackScan

@Suite("Assessing while reading")
struct AssessmentPipelineTests {
    static let asOf = Day(iso: "2025-06-30")!

    /// Client `n` bought every `n + 3` days since January.
    static func history(_ n: Int) -> ClientHistory {
        var days: [ActivityDay] = []
        var day = Day(iso: "2025-01-01")!
        while day <= asOf {
            var totals = DayTotals()
            totals.add(amount: Int64(1_000_000 + n), margin: nil)
            days.append(totals.activity(on: day))
            day = day.adding(days: n + 3)
        }
        return ClientHistory(clientID: "C\(n)", days: days)
    }

    @Test("many batches on several workers give what one thread gives, in the order read")
    func orderKept() {
        let settings = ChurnSettings()
        let inputs = (0..<50).map { (previous: StatusSince?.none, history: Self.history($0)) }
        let pipeline = AssessmentPipeline(batchSize: 3, inFlight: 2) { input in
            Assessment(history: input.history, previous: input.previous, asOf: Self.asOf, settings: settings)
        }
        for input in inputs { pipeline.add(input) }
        let assessed = pipeline.finish()
        let expected = inputs.map {
            Assessment(history: $0.history, previous: $0.previous, asOf: Self.asOf, settings: settings)
        }
        #expect(assessed.map(\.facts.clientID) == (0..<50).map { "C\($0)" })
        let same = assessed == expected
        #expect(same, "the assessments differ from one thread's")
    }
}
