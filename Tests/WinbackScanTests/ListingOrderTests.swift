import Foundation
import GRDB
import Testing
import WinbackCore
import WinbackScan
import WinbackSimulation

@testable import WinbackStore

/// The listings sort in memory what SQLite sorted before: the same rows in the same order, ties included.
@Suite("Listing order")
struct ListingOrderTests {
    /// A scanned generated book of 80 clients, with the master data of three clients that never bought: their ids
    /// sort differently by bytes than by Swift's `<` (a precomposed "é", then "e" with a combining accent, "Z").
    static func fixture() throws -> ScanFixture {
        let generator = SalesGenerator(
            SalesScenario(clients: 80, start: Day(iso: "2024-01-01")!, end: Day(iso: "2024-12-31")!, seed: 17))
        var sales = SalesCSVFormat.comma.header
        generator.generate { sales += SalesCSVFormat.comma.line($0) }
        let fixture = try ScanFixture()
        try fixture.load("sales.csv", sales)
        try fixture.load("clients.csv", "client_id,client_name\n\u{E9}1,Precomposed\ne\u{301}1,Accent\nZ1,Zulu\n")
        try fixture.scan("2024-12-31")
        return fixture
    }

    func column<Value: DatabaseValueConvertible>(_ fixture: ScanFixture, _ sql: String) throws -> [Value] {
        try fixture.database.writer.read { db in try Value.fetchAll(db, sql: sql) }
    }

    @Test("alerts: most severe, highest value, newest, lowest id first, as SQL orders them, with ties in every key")
    func alerts() throws {
        let fixture = try Self.fixture()
        // Ties: a third of the values the same, a third none (which counts as 0), first-seen days on two dates.
        try fixture.database.writer.write { db in
            try db.execute(
                sql: """
                    UPDATE alerts SET value = CASE id % 3 WHEN 0 THEN NULL WHEN 1 THEN 5000000 ELSE value END,
                        first_seen = first_seen - (id % 2), severity = CASE id % 4 WHEN 0 THEN 'warning' ELSE severity END
                    """)
        }
        let sql = """
            SELECT id FROM alerts WHERE status != 'resolved'
            ORDER BY CASE severity WHEN 'critical' THEN 0 WHEN 'warning' THEN 1 ELSE 2 END,
                     coalesce(value, 0) DESC, first_seen DESC, id
            """
        let expected: [Int64] = try column(fixture, sql)
        #expect(expected.count >= 12, "the book raises enough alerts to have ties")
        #expect(try fixture.database.alerts().map(\.id) == expected)
        let warnings = try fixture.database.alerts(AlertFilter(severities: [.warning])).map(\.id)
        #expect(!warnings.isEmpty)
        #expect(warnings == expected.filter { warnings.contains($0) })
    }

    @Test("clients: highest revenue first, then the client id byte by byte, as SQL orders them")
    func clients() throws {
        let fixture = try Self.fixture()
        // Ties in revenue: every client's total on one of three amounts.
        try fixture.database.writer.write { db in
            try db.execute(sql: "UPDATE client_totals SET revenue = (client % 3) * 1000000")
        }
        let expected: [String] = try column(
            fixture,
            """
            SELECT c.client_id FROM clients c LEFT JOIN client_totals s ON s.client = c.id
            ORDER BY coalesce(s.revenue, 0) DESC, c.client_id
            """)
        let listed = try fixture.database.clientSummaries().map(\.clientID)
        #expect(listed.map { Array($0.utf8) } == expected.map { Array($0.utf8) })
        // The two spellings of é are two clients, listed (with "Z1", all three without sales) in byte order: "Z" (0x5A),
        // "e" and a combining accent (0x65), "é" (0xC3). Swift's `<` takes both spellings for one.
        let masterOnly = listed.filter { !$0.hasPrefix("C") }.map { Array($0.utf8) }
        #expect(masterOnly == [[0x5A, 0x31], [0x65, 0xCC, 0x81, 0x31], [0xC3, 0xA9, 0x31]])
    }

    @Test("the win-back list: by rank, as the rank's index orders it, ties (by hand) in the clients' order")
    func listByRank() throws {
        let fixture = try Self.fixture()
        // Ranks against the clients' order, and ties: every third entry shares its rank with the one before; every
        // fifth client's rank is not a whole number (only a hand edit stores one).
        try fixture.database.writer.write { db in
            try db.execute(sql: "UPDATE winback_list SET rank = 1000 - rank - (rank % 3 = 0)")
            try db.execute(sql: "UPDATE winback_list SET rank = rank - 0.5 WHERE client % 5 = 0")
        }
        let expected: [String] = try column(
            fixture,
            """
            SELECT c.client_id FROM winback_list w JOIN clients c ON c.id = w.client
            ORDER BY w.rank, w.client
            """)
        #expect(expected.count >= 9, "the book lists enough clients to have ties")
        #expect(try fixture.database.winbackList().map(\.clientID) == expected)
        #expect(try fixture.database.winbackList(limit: 4).map(\.clientID) == Array(expected.prefix(4)))
        let ranks = try fixture.database.winbackList().map(\.rank)
        #expect(Set(ranks).count < ranks.count, "ties were made")
        // A filtered list keeps the same order, without the entries the filter leaves out.
        let classA: [String] = try column(
            fixture,
            """
            SELECT c.client_id FROM winback_list w JOIN clients c ON c.id = w.client
            WHERE w.client IN (SELECT client FROM client_verdicts WHERE abc = 'A') ORDER BY w.rank, w.client
            """)
        #expect(!classA.isEmpty && classA.count < expected.count)
        #expect(try fixture.database.winbackList(filter: ClientFilter(abc: [.a])).map(\.clientID) == classA)
        // Entries that do not come in the clients' order are put in the ranks' order all the same.
        let list = try fixture.database.winbackList()
        let keys = list.indices.map { Int64(1000 - $0) }
        let shuffled = list.indices.filter { $0 % 4 != 1 }.sorted { ($0 * 37 % 11, $0) < ($1 * 37 % 11, $1) }
        #expect(shuffled.map { keys[$0] } != shuffled.map { keys[$0] }.sorted())
        let ordered = AppDatabase.inOrder(
            shuffled.map { list[$0] }, clients: shuffled.map { keys[$0] }, ranked: keys + [5000])
        #expect(ordered.map(\.clientID) == list.indices.filter { $0 % 4 != 1 }.map { list[$0].clientID })
        let halves: Int = try #require(
            try fixture.database.writer.read { db in
                try Int.fetchOne(db, sql: "SELECT count(*) FROM winback_list WHERE rank != CAST(rank AS INTEGER)")
            })
        #expect(halves > 0, "ranks between whole numbers were made")
    }

    @Test("the win-back list carries each client's class from the same scan")
    func listClasses() throws {
        let fixture = try Self.fixture()
        let list = try fixture.database.winbackList()
        #expect(!list.isEmpty)
        for entry in list {
            #expect(entry.abc != nil)
            #expect(entry.abc == (try fixture.state(entry.clientID))?.abc, "\(entry.clientID)")
        }
    }

    @Test("a database from before the list kept its classes gets them from the clients' states")
    func listClassesMigrated() throws {
        let fixture = try Self.fixture()
        let before = try fixture.database.winbackList().map(\.abc)
        let path = fixture.folder.appendingPathComponent("winback.sqlite").path
        // The list as version 9 left it: no class column.
        try fixture.database.writer.write { db in
            try db.execute(sql: "ALTER TABLE winback_list DROP COLUMN abc")
            try db.execute(sql: "DELETE FROM grdb_migrations WHERE identifier LIKE 'v10:%'")
        }
        let reopened = try AppDatabase.open(path: path)
        #expect(try reopened.winbackList().map(\.abc) == before)
    }

    @Test("states from before they took two tables read back the same, and the next scans write both")
    func statesSplitMigrated() throws {
        let fixture = try Self.fixture()
        let path = fixture.folder.appendingPathComponent("winback.sqlite").path
        let states = "SELECT * FROM client_states ORDER BY client"
        let before = try fixture.table(states)
        let summaries = try fixture.database.clientSummaries()
        #expect(before.count == 83 && summaries.compactMap(\.state).count == 83)
        // The one table as version 10 left it.
        try fixture.database.writer.write { db in
            try db.execute(
                sql: """
                    CREATE TABLE old_states AS SELECT * FROM client_states;
                    DROP VIEW client_states;
                    DROP TABLE client_numbers;
                    DROP TABLE client_verdicts;
                    ALTER TABLE old_states RENAME TO client_states;
                    DELETE FROM grdb_migrations WHERE identifier LIKE 'v11:%';
                    """)
        }
        let reopened = try AppDatabase.open(path: path)
        func read<Value>(_ body: (Database) throws -> Value) throws -> Value { try reopened.writer.read(body) }
        #expect(try read { db in try Row.fetchAll(db, sql: states).map { Array($0.databaseValues) } } == before)
        #expect(try reopened.clientSummaries() == summaries)
        // A later scan rewrites every client's numbers, and its verdict only where it changed: the migrated rows
        // have no digest yet, so all of them once.
        let verdicts = "SELECT * FROM client_verdicts ORDER BY client"
        let verdictsBefore = try read { db in try Row.fetchAll(db, sql: verdicts).map { Array($0.databaseValues) } }
        @discardableResult func scan(_ day: String) throws -> Int64 {
            try WinbackScan.Scanner(
                database: reopened, settings: ChurnSettings(), now: { Date(timeIntervalSince1970: 1_763_900_000) }
            ).scan(asOf: Day(iso: day)!).scanID
        }
        let later = try scan("2025-01-01")
        #expect(
            try read { db in try Int64.fetchAll(db, sql: "SELECT DISTINCT scan_id FROM client_numbers") } == [later])
        #expect(
            try read { db in try Int.fetchOne(db, sql: "SELECT count(*) FROM client_verdicts WHERE digest = 0") } == 0)
        let verdictsAfter = try read { db in try Row.fetchAll(db, sql: verdicts).map { Array($0.databaseValues) } }
        #expect(verdictsAfter.count == verdictsBefore.count)
        // Without their digests: some verdicts changed with the day, some did not.
        let changed = zip(verdictsAfter, verdictsBefore).filter { $0.dropLast() != $1.dropLast() }.count
        #expect(changed > 0 && changed < verdictsAfter.count)
        let view = try read { db in try Row.fetchAll(db, sql: states).map { Array($0.databaseValues) } }
        #expect(view.count == 83 && view.allSatisfy { $0[2] == DatabaseValue(value: Day(iso: "2025-01-01")!.number) })
        // A verdict whose digest is current is not written again: a hand edit that keeps the digest stays through a
        // rescan of the day; with its digest set to 0, the rescan writes the verdict again.
        let reason = "SELECT reason FROM client_verdicts WHERE client = (SELECT min(client) FROM client_verdicts)"
        let original = try read { db in try String.fetchOne(db, sql: reason) }
        try reopened.writer.write { db in
            try db.execute(
                sql:
                    "UPDATE client_verdicts SET reason = 'edited' WHERE client = (SELECT min(client) FROM client_verdicts)"
            )
        }
        try scan("2025-01-01")
        #expect(try read { db in try String.fetchOne(db, sql: reason) } == "edited")
        try reopened.writer.write { db in
            try db.execute(
                sql: "UPDATE client_verdicts SET digest = 0 WHERE client = (SELECT min(client) FROM client_verdicts)")
        }
        try scan("2025-01-01")
        #expect(try read { db in try String.fetchOne(db, sql: reason) } == original)
    }

    @Test("offers read back once per distinct text are the offers read one by one")
    func offersOncePerText() throws {
        let texts = [
            #"{"discount": 0.1, "kind": "discount", "rule": "A lost", "text": "10 % off"}"#,
            #"{"gift": "tool set", "kind": "gift", "rule": "B at risk", "text": "A gift"}"#,
            #"{"kind": "visit", "pausedUntil": "2025-02-01", "rule": "A lost", "text": "Visit"}"#,
        ]
        var reader = StoredOfferReader()
        for text in texts + texts.reversed() + texts {
            #expect(try reader.offer(text) == StoredOffer.offer(text))
        }
        // Two spellings of one gift, a precomposed "é" and an "e" with a combining accent, each come back as stored.
        for gift in ["caf\u{E9}", "cafe\u{301}", "caf\u{E9}"] {
            let text = #"{"gift": ""# + gift + #"", "kind": "gift", "rule": "B at risk", "text": "A gift"}"#
            #expect(try reader.offer(text)?.gift.map { Array($0.utf8) } == Array(gift.utf8))
        }
        #expect(try reader.offer(nil) == nil)
        #expect(throws: (any Error).self) { try reader.offer("{\"kind\": 3}") }
    }
}
