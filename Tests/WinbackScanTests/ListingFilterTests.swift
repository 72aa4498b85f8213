import Foundation
import Testing
import WinbackCore
import WinbackStore

@Suite("Filters of alerts, list and clients")
struct ListingFilterTests {
    /// Four clients of two managers, one of them spelled three ways across the exports, scanned on 2024-12-31:
    /// N1 (Eva Novák, Jihomoravský kraj, Tools) stopped in June; S2 ("EVA NOVÁK", Wien, Elektro-Zubehör) buys on;
    /// A3 (Anna Berg, Wien, Tools) stopped in May; L4 (Anna Berg, Tirol) stopped buying Lösungsmittel in August.
    static func fixture() throws -> ScanFixture {
        var rows = ["date,client_id,client_name,document,line,amount,category,manager,region"]
        func weekly(
            _ client: String, _ name: String, _ manager: String, _ region: String, from: String, to: String,
            amount: Int = 100, categories: (Day) -> [String]
        ) {
            var day = Day(iso: from)!
            while day <= Day(iso: to)! {
                for (line, category) in categories(day).enumerated() {
                    rows.append(
                        "\(day.iso),\(client),\(name),\(client)-\(day.iso),\(line + 1),\(amount),\(category),\(manager),\(region)"
                    )
                }
                day = day.adding(days: 7)
            }
        }
        weekly("N1", "Nordbau", "Eva Novák", "Jihomoravský kraj", from: "2024-01-02", to: "2024-06-25") { _ in ["Tools"]
        }
        weekly("S2", "Südwerk", "EVA NOVÁK", "Wien", from: "2024-01-03", to: "2024-12-25") { _ in ["Elektro-Zubehör"] }
        weekly("A3", "Alpha", "Anna Berg", "Wien", from: "2024-01-04", to: "2024-05-30", amount: 300) { _ in ["Tools"] }
        weekly("L4", "Lacke", "Anna Berg", "Tirol", from: "2024-01-05", to: "2024-12-27") { day in
            day < Day(iso: "2024-08-01")! ? ["Tools", "Lösungsmittel"] : ["Tools"]
        }
        let fixture = try ScanFixture()
        try fixture.load("sales.csv", rows.joined(separator: "\n") + "\n")
        // The same manager in a third spelling, decomposed (an "a" and a combining acute accent), from master data.
        try fixture.load("clients.csv", "client_id,manager\nN1,Eva Nova\u{301}k\n")
        try fixture.scan("2024-12-31")
        return fixture
    }

    func ids(_ clients: [ClientSummary]) -> Set<String> { Set(clients.map(\.clientID)) }

    @Test("case, accents and spaces do not count, in the filter and in the stored spellings alike")
    func searchKeys() {
        #expect(searchKey("eva novak") == searchKey("Eva Novák"))
        #expect(searchKey("  EVA   NOVÁK ") == searchKey("Eva Nova\u{301}k"))
        #expect(searchKey("Jihomoravsky kraj") == searchKey("Jihomoravský Kraj"))
        #expect(searchKey("Eva Novák") != searchKey("Eva Nováková"))
        #expect(searchKey("TOOLS") == "tools")
    }

    @Test("clients by manager, region and category, whatever the case and the accents")
    func clientsByText() throws {
        let database = try Self.fixture().database
        let eva = try database.clientSummaries(ClientFilter(manager: "eva novak"))
        #expect(ids(eva) == ["N1", "S2"], "every spelling of Eva Novák: \(eva.map(\.manager))")
        #expect(ids(try database.clientSummaries(ClientFilter(manager: "Eva Nova\u{301}k"))) == ["N1", "S2"])
        #expect(ids(try database.clientSummaries(ClientFilter(region: "jihomoravsky KRAJ"))) == ["N1"])
        #expect(ids(try database.clientSummaries(ClientFilter(region: "wien"))) == ["S2", "A3"])
        #expect(ids(try database.clientSummaries(ClientFilter(category: "elektro-zubehor"))) == ["S2"])
        #expect(ids(try database.clientSummaries(ClientFilter(category: "losungsmittel"))) == ["L4"])
        #expect(ids(try database.clientSummaries(ClientFilter(category: "Tools"))) == ["N1", "A3", "L4"])
        #expect(try database.clientSummaries(ClientFilter(manager: "Eva")).isEmpty, "a name is matched whole")
        #expect(try database.clientSummaries(ClientFilter(category: "Paint")).isEmpty)
    }

    @Test("clients by status and class; every filter given must hold")
    func clientsCombined() throws {
        let database = try Self.fixture().database
        let all = try database.clientSummaries()
        let failing = Set(all.filter { $0.state?.status.isFailing == true }.map(\.clientID))
        #expect(failing.isSuperset(of: ["N1", "A3"]) && !failing.contains("S2"), "the book as the tests expect it")
        #expect(ids(try database.clientSummaries(ClientFilter(statuses: [.atRisk, .lost]))) == failing)
        let a = Set(all.filter { $0.state?.abc == .a }.map(\.clientID))
        #expect(ids(try database.clientSummaries(ClientFilter(abc: [.a]))) == a)
        #expect(
            ids(try database.clientSummaries(ClientFilter(manager: "eva novak", statuses: [.atRisk, .lost])))
                == failing.intersection(["N1", "S2"]))
        #expect(ids(try database.clientSummaries(ClientFilter(region: "wien", category: "tools"))) == ["A3"])
        #expect(try database.clientSummaries(ClientFilter(manager: "anna berg", region: "jihomoravsky kraj")).isEmpty)
    }

    @Test("the win-back list by the same filters, its first N counted after them")
    func winbackList() throws {
        let database = try Self.fixture().database
        let list = try database.winbackList()
        #expect(Set(list.map(\.clientID)).isSuperset(of: ["N1", "A3"]))
        let eva = try database.winbackList(filter: ClientFilter(manager: "EVA NOVAK"))
        #expect(eva.map(\.clientID) == list.filter { ["N1", "S2"].contains($0.clientID) }.map(\.clientID))
        #expect(
            try database.winbackList(limit: 1, filter: ClientFilter(manager: "anna berg")).map(\.clientID)
                == [try #require(list.first { $0.manager == "Anna Berg" }).clientID])
        #expect(try database.winbackList(filter: ClientFilter(category: "elektro-zubehör")).isEmpty)
    }

    @Test("alerts of a manager's or a region's clients, and alerts about a category")
    func alerts() throws {
        let database = try Self.fixture().database
        let all = try database.alerts()
        let eva = try database.alerts(AlertFilter(clients: ClientFilter(manager: "eva novak")))
        #expect(!eva.isEmpty)
        #expect(eva.map(\.id) == all.filter { ["N1", "S2"].contains($0.clientID ?? "") }.map(\.id))
        let tirol = try database.alerts(AlertFilter(clients: ClientFilter(region: "TIROL")))
        #expect(Set(tirol.compactMap(\.clientID)) == ["L4"])
        let drop = try database.alerts(AlertFilter(category: "losungsmittel"))
        #expect(drop.map(\.kind) == [.categoryDrop], "\(all.map { ($0.clientID, $0.kind, $0.category) })")
        #expect(drop.first?.category == "Lösungsmittel")
        #expect(try database.alerts(AlertFilter(category: "tools")).isEmpty, "nobody stopped buying Tools")
        #expect(try database.alerts(AlertFilter(clients: ClientFilter(manager: "nobody"))).isEmpty)
    }
}
