import Foundation
import GRDB
import Testing
import WinbackCore
import WinbackSimulation

@testable import WinbackStore

/// The compact history records a scan keeps: read back, they are the client's rows; never used once the client's
/// sales changed.
@Suite("History records")
struct HistoryRecordTests {
    /// A generated book in two exports: up to the end of June, and after.
    static func book(clients: Int = 40) -> (first: String, second: String) {
        let generator = SalesGenerator(
            SalesScenario(clients: clients, start: Day(iso: "2024-01-01")!, end: Day(iso: "2024-12-31")!, seed: 11))
        var first = SalesCSVFormat.comma.header
        var second = SalesCSVFormat.comma.header
        generator.generate { line in
            if line.day <= Day(iso: "2024-06-30")! {
                first += SalesCSVFormat.comma.line(line)
            } else {
                second += SalesCSVFormat.comma.line(line)
            }
        }
        return (first, second)
    }

    static func histories(_ database: AppDatabase, asOf: String) throws -> (
        [ClientHistory], HistoryRecords
    ) {
        var out: [ClientHistory] = []
        let records = try database.forEachHistory(asOf: Day(iso: asOf)!, makeRecords: true) { _, history in
            out.append(history)
        }
        return (out, records)
    }

    @Test("histories read from records equal those read from rows, whole or up to an earlier day")
    func sameAsRows() throws {
        let fixture = try ScanFixture()
        let (first, second) = Self.book()
        try fixture.load("first.csv", first)
        try fixture.load("second.csv", second)
        let (fromRows, made) = try Self.histories(fixture.database, asOf: "2024-12-31")
        #expect(made.fromRows == 40 && made.fromRecords == 0)
        try fixture.database.keepHistoryRecords(made)
        for day in ["2024-12-31", "2024-09-15", "2024-01-01"] {
            let (fromRecords, again) = try Self.histories(fixture.database, asOf: day)
            #expect(again.fromRecords == 40 && again.fromRows == 0)
            let rows = fromRows.map { $0.known(asOf: Day(iso: day)!) }
            #expect(fromRecords == rows)
        }
        #expect(fromRows.contains { $0.days.contains { !$0.categories.isEmpty } })
    }

    @Test("a reader that does not keep records makes none, and holds no more than the client it reads")
    func noRecordsUnasked() throws {
        let fixture = try ScanFixture()
        try fixture.load("first.csv", Self.book().first)
        let records = try fixture.database.forEachHistory(asOf: Day(iso: "2024-12-31")!) { _, _ in }
        #expect(records.items.isEmpty && records.fromRows > 0)
    }

    @Test("a record keeps each spelling of a category as stored, even those Swift takes for one name")
    func spellingsKept() throws {
        let fixture = try ScanFixture()
        // An import folds names Swift takes for one under the first spelling; another import keeps its own.
        try fixture.load(
            "first.csv",
            """
            date,client_id,document,line,amount,category
            2024-03-04,S1,D1,1,100,Caf\u{E9}

            """)
        try fixture.load(
            "second.csv",
            """
            date,client_id,document,line,amount,category
            2024-03-05,S1,D2,1,80,Cafe\u{301}

            """)
        let (fromRows, made) = try Self.histories(fixture.database, asOf: "2024-12-31")
        try fixture.database.keepHistoryRecords(made)
        let (fromRecords, again) = try Self.histories(fixture.database, asOf: "2024-12-31")
        #expect(again.fromRecords == 1)
        let bytes = { (histories: [ClientHistory]) in
            histories.flatMap(\.days).map { $0.categories.map { Array($0.category.utf8) } }
        }
        #expect(bytes(fromRecords) == bytes(fromRows))
        #expect(bytes(fromRows) == [[Array("Caf\u{E9}".utf8)], [Array("Cafe\u{301}".utf8)]])
    }

    @Test("clients without a record read one by one, or in one pass from wherever they turn out many, read alike")
    func onePassFromAnywhere() throws {
        let fixture = try ScanFixture()
        let (first, second) = Self.book(clients: 60)
        try fixture.load("first.csv", first)
        let asOf = Day(iso: "2024-12-31")!
        func read(passAfter: Int) throws -> (histories: [ClientHistory], records: HistoryRecords) {
            var out: [ClientHistory] = []
            let records = try fixture.database.writer.read { db in
                var reader = ClientHistoryReader(db: db, asOf: asOf)
                reader.passAfter = passAfter
                return try reader.forEachRecorded(makeRecords: true) { _, history in out.append(history) }
            }
            return (out, records)
        }
        // No record yet: looked up one by one, or in one pass from the first or the fifth client on.
        let oneByOne = try read(passAfter: .max)
        #expect(oneByOne.records.fromRows == oneByOne.histories.count && oneByOne.histories.count > 50)
        for passAfter in [1, 5] {
            let pass = try read(passAfter: passAfter)
            #expect(pass.histories == oneByOne.histories)
            #expect(pass.records.items.map(\.bytes) == oneByOne.records.items.map(\.bytes))
        }
        // Records for all, then the second half's made stale by a later import: the pass starts mid-book.
        try fixture.database.keepHistoryRecords(oneByOne.records)
        try fixture.load("second.csv", second)
        let stale = try read(passAfter: .max)
        #expect(stale.records.fromRows > 10 && stale.records.fromRecords > 0)
        let pass = try read(passAfter: 3)
        #expect(pass.histories == stale.histories)
        #expect(pass.records.fromRows == stale.records.fromRows)
        #expect(pass.histories.contains { $0.days.contains { $0.day > Day(iso: "2024-06-30")! } })
    }

    @Test("a history read with its categories flat gives every client the facts and findings of its rows")
    func flatCategoriesSameFacts() throws {
        let fixture = try ScanFixture()
        let (first, second) = Self.book()
        try fixture.load("first.csv", first)
        try fixture.load("second.csv", second)
        // Two spellings Swift takes for one category, stored by two imports: one category for the facts either way.
        try fixture.load(
            "third.csv",
            """
            date,client_id,document,line,amount,category
            2024-03-04,S1,D1,1,100,Caf\u{E9}
            2024-03-18,S1,D2,1,90,Tea
            2024-04-01,S1,D3,1,95,Tea
            2024-04-15,S1,D4,1,70,Tea
            2024-04-29,S1,D5,1,-20,Tea

            """)
        try fixture.load(
            "fourth.csv",
            """
            date,client_id,document,line,amount,category
            2024-03-18,S1,D6,1,80,Cafe\u{301}
            2024-04-01,S1,D7,1,80,Cafe\u{301}

            """)
        try fixture.database.keepHistoryRecords(try Self.histories(fixture.database, asOf: "2024-12-31").1)
        let settings = ChurnSettings()
        for day in ["2024-12-31", "2024-09-15", "2024-04-20"] {
            let asOf = Day(iso: day)!
            var flat: [ClientHistory] = []
            let database = fixture.database
            // Each client from its rows, not its record, in key order as the reader gives them.
            let rows = try database.writer.read { db in
                try Row.fetchAll(db, sql: "SELECT id, client_id FROM clients ORDER BY id").map { row in
                    try ClientHistoryReader(db: db, asOf: asOf, client: row[0]).history(clientID: row[1])
                }
            }
            let read = try database.forEachHistory(asOf: asOf, flatCategories: true) { _, history in
                flat.append(history)
            }
            #expect(read.fromRecords == rows.count && read.fromRows == 0)
            #expect(flat.allSatisfy { $0.flatCategories != nil && $0.days.allSatisfy(\.categories.isEmpty) })
            #expect(rows.contains { !$0.days.allSatisfy(\.categories.isEmpty) })
            #expect(flat.count == rows.count)
            for (a, b) in zip(rows, flat) {
                let fromRows = Assessment(history: a, previous: nil, asOf: asOf, settings: settings)
                let fromFlat = Assessment(history: b, previous: nil, asOf: asOf, settings: settings)
                #expect(fromRows == fromFlat, "\(a.clientID) as of \(day)")
            }
            // Cut to an earlier day after reading, the flat categories are cut with the days.
            let earlier = asOf.adding(days: -40)
            for (a, b) in zip(rows, flat) {
                #expect(
                    ClientFacts(history: a.known(asOf: earlier), asOf: earlier, settings: settings)
                        == ClientFacts(history: b.known(asOf: earlier), asOf: earlier, settings: settings))
            }
        }
        let s1 = try #require(
            try Self.histories(fixture.database, asOf: "2024-12-31").0.first { $0.clientID == "S1" })
        let facts = ClientFacts(history: s1, asOf: Day(iso: "2024-12-31")!, settings: settings)
        #expect(facts.categories.map(\.category).sorted() == ["Caf\u{E9}", "Tea"])
    }

    @Test("an import makes the records of the clients it touched unused, and only theirs")
    func importInvalidates() throws {
        let fixture = try ScanFixture()
        let (first, _) = Self.book()
        try fixture.load("first.csv", first)
        let made = try Self.histories(fixture.database, asOf: "2024-12-31").1
        try fixture.database.keepHistoryRecords(made)
        try fixture.load(
            "late.csv",
            """
            date,client_id,document,line,amount,category
            2024-07-02,C000003,LATE-1,1,250,Paint
            2024-07-03,NEW1,LATE-2,1,40,Tools

            """)
        let (histories, records) = try Self.histories(fixture.database, asOf: "2024-12-31")
        #expect(records.fromRows == 2 && records.fromRecords == made.fromRows - 1)
        let late = try #require(histories.first { $0.clientID == "C000003" })
        #expect(late.days.last?.day == Day(iso: "2024-07-02")!)
        #expect(late.days.last?.categories == [CategoryAmount(category: "Paint", amount: Money(units: 250))])
    }

    @Test("a record read before an import that changed the client is not kept")
    func staleRecordNotKept() throws {
        let fixture = try ScanFixture()
        let (first, _) = Self.book()
        try fixture.load("first.csv", first)
        let (_, made) = try Self.histories(fixture.database, asOf: "2024-12-31")
        // The import lands between the scan's read and its keeping the records.
        try fixture.load(
            "late.csv",
            """
            date,client_id,document,line,amount
            2024-07-02,C000003,LATE-1,1,250

            """)
        try fixture.database.keepHistoryRecords(made)
        let (histories, records) = try Self.histories(fixture.database, asOf: "2024-12-31")
        #expect(records.fromRows == 1 && records.fromRecords == made.fromRows - 1)
        #expect(histories.first { $0.clientID == "C000003" }?.days.last?.day == Day(iso: "2024-07-02")!)
    }

    @Test("a damaged record is read from the client's rows instead")
    func damagedRecord() throws {
        let fixture = try ScanFixture()
        let (first, _) = Self.book()
        try fixture.load("first.csv", first)
        let (fromRows, made) = try Self.histories(fixture.database, asOf: "2024-12-31")
        try fixture.database.keepHistoryRecords(made)
        try fixture.database.writer.write { db in
            try db.execute(sql: "UPDATE client_histories SET days = x'0105' WHERE client = 1")
            try db.execute(sql: "UPDATE client_histories SET days = x'' WHERE client = 2")
            try db.execute(sql: "UPDATE client_histories SET days = x'00ffffffffffffffffffff01' WHERE client = 3")
            // Whole, but its days go backwards, stand still, or go backwards after the day the read cuts at.
            for (client, days) in [(4, [19_900, 19_890]), (5, [19_900, 19_900]), (6, [19_800, 20_102, 19_850])] {
                var record = HistoryRecord()
                for day in days { record.append(day: Int64(day), totals: DayTotals(), categories: []) }
                try db.execute(
                    sql: "UPDATE client_histories SET days = ? WHERE client = ?",
                    arguments: [Data(record.encoded()), client])
            }
        }
        let (again, records) = try Self.histories(fixture.database, asOf: "2024-12-31")
        #expect(records.fromRows == 6)
        #expect(again == fromRows)
    }

    @Test("a scan of a later day, reading unchanged clients from their records, stores what a scan from rows does")
    func scanFromRecords() throws {
        let fixture = try ScanFixture()
        let (first, _) = Self.book()
        try fixture.load("first.csv", first)
        try fixture.scan("2024-06-30")
        let clients = try fixture.table("SELECT count(*) FROM clients")
        #expect(try fixture.table("SELECT count(*) FROM client_histories") == clients)
        try fixture.load(
            "late.csv",
            """
            date,client_id,document,line,amount,category
            2024-07-02,C000003,LATE-1,1,250,Paint

            """)
        try fixture.scan("2024-07-20")
        let states = "SELECT * FROM client_states ORDER BY client"
        let alerts =
            "SELECT client, kind, category, severity, status, title, explanation, value FROM alerts ORDER BY id"
        let withRecords = (try fixture.table(states).map { $0.dropFirst(2) }, try fixture.table(alerts))
        try fixture.database.writer.write { db in try db.execute(sql: "DELETE FROM client_histories") }
        try fixture.scan("2024-07-20")
        #expect(try fixture.table(states).map { $0.dropFirst(2) } == withRecords.0)
        #expect(try fixture.table(alerts) == withRecords.1)
        #expect([[withRecords.0.count.databaseValue]] == clients)
    }
}
