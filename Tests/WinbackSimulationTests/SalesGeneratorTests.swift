import Testing
import WinbackCSV
import WinbackCore
import WinbackSimulation

@Suite("Sales generator")
struct SalesGeneratorTests {
    let scenario = SalesScenario(clients: 200, start: Day(iso: "2024-01-01")!, end: Day(iso: "2024-12-31")!, seed: 42)

    func lines(_ scenario: SalesScenario) -> [SaleLine] {
        var out: [SaleLine] = []
        SalesGenerator(scenario).generate { out.append($0) }
        return out
    }

    @Test("the same seed gives the same history; another seed another")
    func deterministic() {
        let a = lines(scenario)
        #expect(a == lines(scenario))
        var other = scenario
        other.seed = 43
        #expect(a != lines(other))
    }

    @Test("lines come in date order, inside the period, with unique document lines")
    func ordered() {
        let all = lines(scenario)
        #expect(!all.isEmpty)
        #expect(zip(all, all.dropFirst()).allSatisfy { $0.day <= $1.day })
        #expect(all.allSatisfy { $0.day >= scenario.start && $0.day <= scenario.end })
        #expect(Set(all.map { "\($0.document)/\($0.line)" }).count == all.count)
    }

    @Test("revenue is concentrated as in real books: the top fifth of clients bring most of it")
    func pareto() {
        var revenue: [String: Int64] = [:]
        for line in lines(scenario) { revenue[line.clientID, default: 0] += line.amount.scaled }
        let sorted = revenue.values.sorted(by: >)
        let top = sorted.prefix(sorted.count / 5).reduce(0, +)
        let total = sorted.reduce(0, +)
        #expect(Double(top) / Double(total) > 0.6)
    }

    @Test("stopped clients buy nothing after they stop; there are returns")
    func fates() {
        let generator = SalesGenerator(scenario)
        var last: [String: Day] = [:]
        var returns = 0
        generator.generate { line in
            last[line.clientID] = max(last[line.clientID] ?? line.day, line.day)
            if line.isReturn { returns += 1 }
        }
        var stopped = 0
        for client in generator.clients {
            if case .stops(let at) = client.fate, let lastDay = last[client.id] {
                #expect(lastDay < at)
                stopped += 1
            }
        }
        #expect(stopped > 5)
        #expect(returns > 0)
    }

    @Test("both export styles read back to the same lines", arguments: SalesCSVFormat.allCases)
    func roundTrip(_ format: SalesCSVFormat) throws {
        let original = Array(lines(scenario).prefix(500))
        let text = format.header + original.map(format.line).joined()
        let reader = CSVReader(source: MemoryByteSource(text, chunkSize: 97))
        #expect(try reader.next())
        #expect(reader.strings() == SalesCSVFormat.columns)
        let numbers = DecimalParser(delimiter: reader.delimiter!)
        let dates = try DateParser()
        var index = 0
        while try reader.next() {
            let expected = original[index]
            #expect(dates.parse(reader.field(0)) == expected.day)
            #expect(reader.string(1) == expected.clientID)
            #expect(reader.string(2) == expected.clientName)
            #expect(numbers.parseScaled(reader.field(8)) == .success(expected.amount.scaled))
            index += 1
        }
        #expect(index == original.count)
    }
}
