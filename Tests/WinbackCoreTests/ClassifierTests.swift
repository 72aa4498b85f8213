import Testing
import WinbackCore

@Suite("Classes")
struct ClassifierTests {
    func facts(_ revenues: [Int64], monthly: [[Int64]]? = nil) -> [ClientFacts] {
        revenues.enumerated().map { index, revenue in
            var days: [ActivityDay] = []
            if let monthly {
                for (month, amount) in monthly[index].enumerated() where amount > 0 {
                    let money = Money(units: amount)
                    days.append(ActivityDay(day: Day(year: 2024, month: month + 1, day: 15)!, net: money, gross: money, returns: .zero))
                }
            } else {
                let money = Money(units: revenue)
                days.append(ActivityDay(day: Day(iso: "2024-12-15")!, net: money, gross: money, returns: .zero))
            }
            return ClientFacts(
                history: ClientHistory(clientID: "C\(index)", days: days), asOf: Day(iso: "2025-01-10")!,
                settings: ChurnSettings())
        }
    }

    @Test("ABC: A up to and including the client that crosses 80 %, B to 95 %, C the rest")
    func abc() {
        let classes = Classifier.classify(facts([50, 25, 10, 6, 5, 4]), settings: ChurnSettings.Classes())
        #expect(classes.map(\.abc) == [.a, .a, .a, .b, .b, .c])
        #expect(classes.map(\.share) == [0.5, 0.25, 0.1, 0.06, 0.05, 0.04])
    }

    @Test("one client with most of the revenue is an A mono-client; 10 % is key, over 20 % critical")
    func dependence() {
        let classes = Classifier.classify(facts([60, 21, 10, 9]), settings: ChurnSettings.Classes())
        #expect(classes.map(\.dependence) == [.mono, .critical, .key, .none])
        #expect(classes[0].abc == .a)
    }

    @Test("XYZ by the coefficient of variation of monthly revenue")
    func xyz() {
        let months: [[Int64]] = [
            Array(repeating: 100, count: 12),
            [100, 120, 80, 100, 120, 80, 100, 120, 80, 100, 120, 80],
            [300, 0, 0, 300, 0, 0, 300, 0, 0, 300, 0, 0],
            [0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 100, 100],
        ]
        let classes = Classifier.classify(facts([1200, 1200, 1200, 200], monthly: months), settings: ChurnSettings.Classes())
        #expect(classes[0].xyz == .x)
        #expect(classes[1].xyz == .y)
        #expect(classes[2].xyz == .z)
        #expect(classes[3].xyz == nil, "two months of history say nothing about regularity")
        #expect(classes[0].combined == "AX")
        #expect(classes[3].combined.hasSuffix("–"))
    }
}
