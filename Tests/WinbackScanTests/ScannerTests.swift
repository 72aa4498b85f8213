import Foundation
import GRDB
import Testing
import WinbackConfig
import WinbackCore
import WinbackImport
import WinbackOutbox
import WinbackScan
import WinbackSimulation
import WinbackTestSupport

@testable import WinbackStore

/// A database, an importer and a scanner with a fixed clock.
struct ScanFixture {
    /// Removed when the last copy of the fixture goes.
    let scratch: TemporaryFolder
    let database: AppDatabase
    var folder: URL { scratch.url }

    init() throws {
        scratch = try TemporaryFolder("winback-scan")
        database = try AppDatabase.open(path: scratch.url.appendingPathComponent("winback.sqlite").path)
    }

    func load(_ name: String, _ text: String) throws {
        let url = folder.appendingPathComponent(name)
        try text.write(to: url, atomically: true, encoding: .utf8)
        _ = try Importer(database: database, settings: ImportSettings()).importFile(at: url.path)
    }

    @discardableResult
    func scan(_ day: String) throws -> ScanSummary {
        try Scanner(database: database, settings: ChurnSettings(), now: { Date(timeIntervalSince1970: 1_763_800_000) })
            .scan(asOf: Day(iso: day)!)
    }

    func table(_ sql: String) throws -> [[DatabaseValue]] {
        try database.writer.read { db in try Row.fetchAll(db, sql: sql).map { Array($0.databaseValues) } }
    }

    func state(_ clientID: String) throws -> ClientState? {
        try database.clientSummary(clientID)?.summary.state
    }
}

/// Sales CSV of a client buying `amount` every `every` days in [from, through].
func salesCSV(_ client: String, every: Int, from: String, through: String, amount: Int = 100, header: Bool = true)
    -> String
{
    var rows = header ? ["date,client_id,document,line,amount,category"] : []
    var day = Day(iso: from)!
    while day <= Day(iso: through)! {
        rows.append("\(day.iso),\(client),\(client)-\(day.iso),1,\(amount),Tools")
        day = day.adding(days: every)
    }
    return rows.joined(separator: "\n") + "\n"
}

@Suite("Scanner")
struct ScannerTests {
    @Test(
        "the store folds a day's lines as the core does: margins known only when every line has one, categories by name"
    )
    func oneDayFold() throws {
        let fixture = try ScanFixture()
        let csv = """
            date,client_id,document,line,amount,margin,category
            2024-03-04,F1,D1,1,100,30,Tools
            2024-03-04,F1,D1,2,50,,Paint
            2024-03-04,F1,D2,1,-20,-5,Tools
            2024-03-05,F1,D3,1,80,20,Wood
            2024-03-05,F1,D3,2,40,10,Anchors
            2024-03-06,F1,D4,1,0,0,
            2024-03-07,F1,D5,1,-30,,Tools

            """
        try fixture.load("fold.csv", csv)
        var stored: [ClientHistory] = []
        try fixture.database.forEachHistory(asOf: Day(iso: "2024-12-31")!) { _, history in stored.append(history) }
        let lines = csv.split(separator: "\n").dropFirst().map { row -> SaleLine in
            let f = row.split(separator: ",", omittingEmptySubsequences: false).map(String.init)
            return SaleLine(
                day: Day(iso: f[0])!, clientID: f[1], document: f[2], line: Int(f[3])!,
                category: f[6].isEmpty ? nil : f[6],
                amount: Money(units: Int64(f[4])!), margin: f[5].isEmpty ? nil : Money(units: Int64(f[5])!))
        }
        #expect(stored == ClientHistory.from(lines))
        #expect(stored.first?.days.map(\.margin) == [nil, Money(units: 30), Money(units: 0), nil])
        #expect(stored.first?.days[1].categories.map(\.category) == ["Anchors", "Wood"])
    }

    @Test("a purchase is one thing: samples only count, returns only do not, in the clients listing and in the scan")
    func onePurchaseRule() throws {
        let fixture = try ScanFixture()
        try fixture.load(
            "sales.csv",
            """
            date,client_id,document,line,amount
            2024-01-05,C1,S-1,1,0
            2024-02-01,C1,I-1,1,100
            2024-02-01,C1,I-1,2,-10
            2024-03-01,C1,CN-1,1,-20
            """)
        var days: [Day] = []
        try fixture.database.forEachHistory(asOf: Day(iso: "2024-03-31")!) { _, history in
            days = history.days.filter(\.isPurchase).map(\.day)
        }
        #expect(days == [Day(iso: "2024-01-05")!, Day(iso: "2024-02-01")!])
        let summary = try #require(try fixture.database.clientSummaries().first)
        #expect(summary.firstPurchase == days.first)
        #expect(summary.lastPurchase == days.last)
        #expect(try fixture.database.clientSummary("C1")?.summary.firstPurchase == days.first)
        #expect(try fixture.database.clientSummary("C1")?.summary.lastPurchase == days.last)
        #expect(summary.documents == 3)
    }

    @Test("aggregates kept up to date import by import equal aggregates built from all the data at once")
    func incrementalAggregates() throws {
        let generator = SalesGenerator(
            SalesScenario(clients: 60, start: Day(iso: "2024-01-01")!, end: Day(iso: "2024-12-31")!, seed: 5))
        var first = SalesCSVFormat.comma.header
        var second = SalesCSVFormat.comma.header
        generator.generate { line in
            if line.day <= Day(iso: "2024-06-30")! {
                first += SalesCSVFormat.comma.line(line)
            } else {
                second += SalesCSVFormat.comma.line(line)
            }
        }
        // Late lines for days already aggregated: the same day, another document.
        second += "2024-06-30,C000001,,LATE-1,1,5,,1,5,1,,\n"

        let stepwise = try ScanFixture()
        try stepwise.load("first.csv", first)
        try stepwise.scan("2024-06-30")
        try stepwise.load("second.csv", second)
        try stepwise.scan("2024-12-31")
        let atOnce = try ScanFixture()
        try atOnce.load("first.csv", first)
        try atOnce.load("second.csv", second)
        try atOnce.scan("2024-12-31")

        let days =
            "SELECT c.client_id, d.day, d.net, d.gross, d.returns, d.margin, d.margin_lines, d.lines FROM client_days d JOIN clients c ON c.id = d.client ORDER BY 1, 2"
        let categories =
            "SELECT c.client_id, d.day, d.category, d.amount FROM client_day_categories d JOIN clients c ON c.id = d.client ORDER BY 1, 2, 3"
        let totals =
            "SELECT c.client_id, t.lines, t.documents, t.revenue, t.first_purchase, t.last_purchase, t.purchase_days FROM client_totals t JOIN clients c ON c.id = t.client ORDER BY 1"
        #expect(try stepwise.table(days) == atOnce.table(days))
        #expect(try stepwise.table(categories) == atOnce.table(categories))
        #expect(try stepwise.table(totals) == atOnce.table(totals))
        #expect(
            try stepwise.table("SELECT * FROM book_days ORDER BY day")
                == atOnce.table("SELECT * FROM book_days ORDER BY day"))
        // And the same as folding every stored line again.
        try atOnce.database.writer.write { db in try Aggregates(db: db).rebuild(chunk: 1000) }
        #expect(try stepwise.table(days) == atOnce.table(days))
        #expect(try stepwise.table(totals) == atOnce.table(totals))
    }

    @Test("scanning the same day again replaces that day's results and doubles nothing")
    func rescanSameDay() throws {
        let fixture = try ScanFixture()
        try fixture.load("a.csv", salesCSV("W1", every: 7, from: "2024-01-01", through: "2024-05-01"))
        try fixture.scan("2024-06-01")
        let states = "SELECT client, status, status_since, reason, findings FROM client_states ORDER BY client"
        let changes = "SELECT client, day, from_status, to_status, reason FROM status_changes ORDER BY client, day"
        let before = (try fixture.table(states), try fixture.table(changes))
        let again = try fixture.scan("2024-06-01")
        #expect(try fixture.table(states) == before.0)
        #expect(try fixture.table(changes) == before.1)
        #expect(again.changedTo.isEmpty == false, "the day's change is decided again, not skipped")
    }

    @Test("a rescan that changes only some verdicts stamps those clients' states, and only those, with its scan")
    func rescanStampsChangedVerdicts() throws {
        let fixture = try ScanFixture()
        let generator = SalesGenerator(
            SalesScenario(clients: 60, start: Day(iso: "2024-01-01")!, end: Day(iso: "2024-12-31")!, seed: 5))
        var sales = SalesCSVFormat.comma.header
        generator.generate { sales += SalesCSVFormat.comma.line($0) }
        try fixture.load("sales.csv", sales)
        let first = try fixture.scan("2024-12-31").scanID
        let verdicts = "SELECT client, status, reason, findings FROM client_verdicts ORDER BY client"
        let before = try fixture.table(verdicts)
        // The same day with looser returns and decline criteria: some findings change, no number does.
        var settings = ChurnSettings()
        settings.returns.share = 0.01
        settings.decline.drop = 0.2
        settings.decline.z = 1
        let second = try WinbackScan.Scanner(
            database: fixture.database, settings: settings, now: { Date(timeIntervalSince1970: 1_763_800_000) }
        ).scan(asOf: Day(iso: "2024-12-31")!).scanID
        let after = try fixture.table(verdicts)
        let changed = Set(zip(before, after).filter { $0 != $1 }.map(\.0[0]))
        #expect(!changed.isEmpty && changed.count < after.count)
        for row in try fixture.table("SELECT client, scan_id FROM client_states") {
            let expected = changed.contains(row[0]) ? second : first
            #expect(row[1] == expected.databaseValue, "client \(row[0])")
        }
    }

    @Test("an outcome that fails after the clients' states are written leaves nothing of the scan")
    func outcomeFailsLate() throws {
        struct Failed: Error {}
        let fixture = try ScanFixture()
        try fixture.load("a.csv", salesCSV("W1", every: 7, from: "2024-01-01", through: "2024-05-01"))
        try fixture.load("b.csv", salesCSV("W2", every: 7, from: "2024-01-01", through: "2024-08-01"))
        try fixture.scan("2024-06-01")
        let tables = ["scans", "client_states", "status_changes", "alerts", "winback_list", "failure_stats"]
        let before = try tables.map { try fixture.table("SELECT * FROM \($0) ORDER BY 1, 2") }
        let assessment = Assessment(
            history: ClientHistory(clientID: "W1", days: []), previous: nil, asOf: Day(iso: "2024-09-01")!,
            settings: ChurnSettings())
        let key = try #require(try fixture.table("SELECT id FROM clients WHERE client_id = 'W1'").first?.first)
        let client = JudgedClient(
            assessment: assessment,
            classes: ClientClasses(abc: .c, xyz: nil, variation: nil, share: 0, dependence: .none),
            previous: nil, context: nil, model: nil)
        var asked = false
        #expect(throws: Failed.self) {
            try fixture.database.saveScan(
                asOf: Day(iso: "2024-09-01")!, startedAt: "s", finishedAt: "f",
                clients: [(key: try #require(Int64.fromDatabaseValue(key)), client: client)]
            ) {
                asked = true
                throw Failed()
            }
        }
        #expect(asked)
        #expect(try tables.map { try fixture.table("SELECT * FROM \($0) ORDER BY 1, 2") } == before)
    }

    @Test("a replay of an earlier day judges what was known that day and leaves the live book to the latest day")
    func replay() throws {
        let fixture = try ScanFixture()
        try fixture.load("a.csv", salesCSV("W1", every: 7, from: "2024-01-01", through: "2024-12-31"))
        try fixture.load("b.csv", salesCSV("S1", every: 2, from: "2024-01-01", through: "2024-12-31", header: true))
        try fixture.scan("2024-12-31")
        let states = "SELECT client, as_of, status, last_purchase FROM client_states ORDER BY client"
        let changes = "SELECT client, day, to_status FROM status_changes ORDER BY client, day"
        let before = (try fixture.table(states), try fixture.table(changes))
        let replay = try fixture.scan("2024-03-01")
        #expect(replay.replay)
        #expect(replay.statuses[.active] == 2)
        let view = try #require(replay.replayView)
        #expect(view.asOf == Day(iso: "2024-03-01"))
        #expect(view.winback.isEmpty)
        #expect(try fixture.table(states) == before.0, "the live states stay as of 2024-12-31")
        #expect(try fixture.table(changes) == before.1, "the status history is not rewritten")
        #expect(try fixture.database.latestScan()?.asOf == Day(iso: "2024-12-31")!.number)
        // The latest day scanned again is live again.
        #expect(try fixture.scan("2024-12-31").replay == false)
    }

    @Test("a lost client that buys again is won back, and its story shows it")
    func wonBack() throws {
        let fixture = try ScanFixture()
        try fixture.load("a.csv", salesCSV("W1", every: 7, from: "2024-01-01", through: "2024-04-01"))
        // A steady client keeps the feed alive: W1's silence is W1's, not the export's.
        try fixture.load("s.csv", salesCSV("S1", every: 2, from: "2024-01-01", through: "2024-06-11", header: true))
        try fixture.scan("2024-04-02")
        try fixture.scan("2024-04-29")
        try fixture.scan("2024-05-15")
        #expect(try fixture.state("W1")?.status == .lost)
        try fixture.load("b.csv", salesCSV("W1", every: 7, from: "2024-06-03", through: "2024-06-10", header: true))
        let summary = try fixture.scan("2024-06-11")
        #expect(summary.changedTo[.wonBack] == 1)
        let state = try #require(try fixture.state("W1"))
        #expect(state.status == .wonBack)
        #expect(state.statusSince == Day(iso: "2024-06-11"))
        let key = try #require(try fixture.database.clientSummary("W1")?.key)
        let story = try fixture.database.statusChanges(client: key).map {
            "\($0.day.iso) \($0.from?.rawValue ?? "-") → \($0.to.rawValue)"
        }
        #expect(
            story == [
                "2024-04-02 - → active", "2024-04-29 active → at_risk", "2024-05-15 at_risk → lost",
                "2024-06-11 lost → won_back",
            ])
    }

    @Test("a stopped feed raises one feed_stale alert and turns no client lost")
    func staleFeed() throws {
        let fixture = try ScanFixture()
        for (index, client) in ["A1", "A2", "A3", "A4"].enumerated() {
            try fixture.load(
                "\(client).csv", salesCSV(client, every: 3 + index, from: "2024-01-01", through: "2024-10-31"))
        }
        let normal = try fixture.scan("2024-11-01")
        #expect(!normal.feed.isStale)
        let stopped = try fixture.scan("2024-12-02")
        #expect(stopped.feed.isStale)
        #expect(
            stopped.feed.lastSaleDay == Day(iso: "2024-10-31")
                || stopped.feed.lastSaleDay ?? Day(number: 0) < Day(iso: "2024-11-01")!)
        #expect(stopped.statuses[.atRisk, default: 0] + stopped.statuses[.lost, default: 0] == 0, "\(stopped.statuses)")
        let feed = try fixture.database.alerts(AlertFilter(kinds: [.feedStale]))
        #expect(feed.count == 1)
        #expect(feed.first?.clientID == nil)
        // Sales come in again: the alert clears itself.
        for client in ["A1", "A2", "A3", "A4"] {
            try fixture.load("\(client)-dec.csv", salesCSV(client, every: 3, from: "2024-11-01", through: "2024-12-02"))
        }
        let resumed = try fixture.scan("2024-12-03")
        #expect(!resumed.feed.isStale)
        #expect(try fixture.database.alerts(AlertFilter(kinds: [.feedStale])).isEmpty)
    }

    @Test("an ERP's correction replaces the stored line, and the next scan sees it")
    func correctionsReachTheScan() throws {
        let w1 = salesCSV("W1", every: 7, from: "2024-01-01", through: "2024-06-30")
        let s1 = salesCSV("S1", every: 2, from: "2024-01-01", through: "2024-06-30", header: true)
        let fixture = try ScanFixture()
        try fixture.load("a.csv", w1)
        try fixture.load("s.csv", s1)
        try fixture.scan("2024-06-30")
        // The ERP re-exports W1's first order at 1,100 instead of 100, and moves its second to S1 a day later.
        let fix =
            "date,client_id,document,line,amount,category\n2024-01-01,W1,W1-2024-01-01,1,1100,Tools\n"
            + "2024-01-09,S1,W1-2024-01-08,1,100,Tools\n"
        try fixture.load("fix.csv", fix)
        try fixture.scan("2024-06-30")
        // The same book imported already corrected.
        let corrected = w1.replacingOccurrences(
            of: "2024-01-01,W1,W1-2024-01-01,1,100,", with: "2024-01-01,W1,W1-2024-01-01,1,1100,"
        )
        .replacingOccurrences(of: "2024-01-08,W1,W1-2024-01-08,1,100,", with: "2024-01-09,S1,W1-2024-01-08,1,100,")
        #expect(corrected != w1)
        let fresh = try ScanFixture()
        try fresh.load("a.csv", corrected)
        try fresh.load("s.csv", s1)
        try fresh.scan("2024-06-30")
        let days = """
            SELECT c.client_id, d.day, d.net, d.gross, d.lines FROM client_days d JOIN clients c ON c.id = d.client
            ORDER BY 1, 2
            """
        let categories = """
            SELECT c.client_id, d.day, d.category, d.amount FROM client_day_categories d JOIN clients c ON c.id = d.client
            ORDER BY 1, 2, 3
            """
        #expect(try fixture.table(days) == fresh.table(days))
        #expect(try fixture.table(categories) == fresh.table(categories))
        #expect(
            try fixture.table("SELECT * FROM book_days ORDER BY day")
                == fresh.table("SELECT * FROM book_days ORDER BY day"))
        let totals =
            "SELECT c.client_id, t.lines, t.documents, t.revenue, t.first_purchase, t.last_purchase, t.purchase_days FROM client_totals t JOIN clients c ON c.id = t.client ORDER BY 1"
        #expect(try fixture.table(totals) == fresh.table(totals))
        #expect(try fixture.state("W1")?.revenue == fresh.state("W1")?.revenue)
    }

    @Test("corrections of every shape leave the aggregates as importing the corrected book would")
    func correctionShapes() throws {
        let book = """
            date,client_id,document,line,amount,margin,category
            2024-02-01,A,D1,1,100,30,Tools
            2024-02-01,A,D1,2,50,,Paint
            2024-02-02,A,D2,1,70,10,Tools
            2024-02-03,B,D3,1,40,5,Wood
            2024-02-04,A,D4,1,100000000000,1,Tools
            2024-02-04,A,D4,2,100000000000,1,Tools
            2024-02-04,A,D5,1,-100000000000,1,Tools
            2024-02-01,A,D6,1,-20,-2,Tools
            """
        // A purchase turned into a return in another category; a day's only line moved to another client and day
        // (its document with it); a margin dropped; a line at the largest amount changed; a return changed.
        let fixes = """
            date,client_id,document,line,amount,margin,category
            2024-02-01,A,D1,2,-50,,Wood
            2024-02-05,B,D2,1,70,10,Tools
            2024-02-03,B,D3,1,40,,Wood
            2024-02-04,A,D4,2,5,1,Tools
            2024-02-01,A,D6,1,-25,-2,Tools
            """
        let fixture = try ScanFixture()
        try fixture.load("book.csv", book + "\n")
        let url = fixture.folder.appendingPathComponent("fixes.csv")
        try (fixes + "\n").write(to: url, atomically: true, encoding: .utf8)
        let result = try Importer(database: fixture.database, settings: ImportSettings()).importFile(at: url.path)
        #expect(result.corrected == 5, "\(result)")
        var corrected = book.split(separator: "\n").map(String.init)
        for fix in fixes.split(separator: "\n").dropFirst() {
            let key = fix.split(separator: ",").dropFirst(2).prefix(2).joined(separator: ",")
            let index = corrected.firstIndex {
                $0.split(separator: ",").dropFirst(2).prefix(2).joined(separator: ",") == key
            }!
            corrected[index] = String(fix)
        }
        let fresh = try ScanFixture()
        try fresh.load("book.csv", corrected.joined(separator: "\n") + "\n")
        for query in [
            "SELECT c.client_id, d.day, d.net, d.gross, d.returns, d.margin, d.margin_lines, d.lines FROM client_days d JOIN clients c ON c.id = d.client ORDER BY 1, 2",
            "SELECT c.client_id, d.day, d.category, d.amount FROM client_day_categories d JOIN clients c ON c.id = d.client ORDER BY 1, 2, 3",
            "SELECT * FROM book_days ORDER BY day",
            "SELECT c.client_id, t.lines, t.documents, t.revenue, t.first_purchase, t.last_purchase, t.purchase_days FROM client_totals t JOIN clients c ON c.id = t.client ORDER BY 1",
        ] {
            #expect(try fixture.table(query) == fresh.table(query), "\(query)")
        }
    }

    @Test("extreme amounts already stored never make a scan, the outbox or the client views trap")
    func extremeStoredAmounts() throws {
        let fixture = try ScanFixture()
        try fixture.load("s.csv", salesCSV("S1", every: 2, from: "2024-01-01", through: "2024-06-30"))
        try fixture.load("b.csv", salesCSV("BIG1", every: 7, from: "2024-01-01", through: "2024-06-30", header: true))
        // Stored by an older version, or by hand: amounts whose sums overflow 64 bits many times over.
        try fixture.database.writer.write { db in
            let client = try Int64.fetchOne(db, sql: "SELECT id FROM clients WHERE client_id = 'BIG1'")!
            let importID = try Int64.fetchOne(db, sql: "SELECT max(id) FROM imports")!
            for (index, amount) in [Int64.max, Int64.max, Int64.min + 1, Int64.max, 9_000_000_000_000_000_000]
                .enumerated()
            {
                try db.execute(
                    sql: """
                        INSERT INTO sales (document, line, day, client, quantity, amount, margin, import_id, source_line, category)
                        VALUES (?, 1, ?, ?, 1, ?, ?, ?, 2, 'Tools')
                        """,
                    arguments: [
                        "X\(index)", Day(iso: "2024-06-0\(index + 1)")!.number, client, amount, amount, importID,
                    ])
            }
            // As the upgrade to import-kept aggregates folds what an older version stored.
            try Aggregates(db: db).rebuild()
        }
        let summary = try fixture.scan("2024-06-30")
        #expect(summary.clients == 2)
        try fixture.scan("2024-12-31")
        let big = try #require(try fixture.database.clientSummary("BIG1"))
        #expect(big.summary.revenue.isSaturated || big.summary.revenue > Money(units: 1_000_000_000_000))
        #expect(try fixture.database.clientSummaries().count == 2)
        let outbox = Outbox(directory: fixture.folder.appendingPathComponent("outbox").path)
        let folder = try outbox.write(fixture.database.liveView(asOf: Day(iso: "2024-12-31")!))
        #expect(FileManager.default.fileExists(atPath: folder + "/digest.md"))
    }

    @Test("clients known only from master data are scanned as new")
    func masterDataOnly() throws {
        let fixture = try ScanFixture()
        try fixture.load("clients.csv", "client_id,client_name\nK1,Known Ltd\n")
        let summary = try fixture.scan("2024-06-01")
        #expect(summary.statuses[.new] == 1)
        #expect(try fixture.state("K1")?.reason == "no purchase yet")
    }
}

@Suite("Detection end to end")
struct EndToEndDetectionTests {
    @Test("exports with a re-exported overlap, imported and scanned, give the same verdicts as the core alone")
    func throughTheStore() throws {
        let scenario = SalesScenario(
            clients: 300, start: Day(iso: "2024-01-01")!, end: Day(iso: "2025-03-31")!, seed: 77)
        let generator = SalesGenerator(scenario)
        let asOf = scenario.end
        // Two monthly-style exports that overlap by a month, the second in the semicolon style.
        var first = SalesCSVFormat.comma.header
        var second = SalesCSVFormat.semicolon.header
        var lines: [SaleLine] = []
        generator.generate { line in
            lines.append(line)
            if line.day <= Day(iso: "2024-10-31")! { first += SalesCSVFormat.comma.line(line) }
            if line.day >= Day(iso: "2024-10-01")! { second += SalesCSVFormat.semicolon.line(line) }
        }
        let fixture = try ScanFixture()
        try fixture.load("jan-oct.csv", first)
        try fixture.load("oct-mar.csv", second)
        #expect(try fixture.database.salesLineCount() == lines.count, "the overlap is stored once")
        try fixture.scan(asOf.iso)

        var stored: [String: ClientStatus] = [:]
        var last: [String: Day] = [:]
        for summary in try fixture.database.clientSummaries() {
            stored[summary.clientID] = summary.state?.status
            last[summary.clientID] = summary.state?.lastPurchase
        }
        // The core alone, as a scan runs it: the calendar from the days with sales, each client, then the book.
        var buying: [Day: Set<String>] = [:]
        for line in lines where line.day <= asOf { buying[line.day, default: []].insert(line.clientID) }
        let calendar = BusinessCalendar.learned(
            buyingClients: buying.mapValues(\.count), from: buying.keys.min()!, through: asOf)
        var assessments = ClientHistory.from(lines).map {
            Assessment(history: $0, previous: nil, asOf: asOf, settings: ChurnSettings(), calendar: calendar)
        }
        _ = SilenceStage.apply(
            to: &assessments, previous: Array(repeating: nil, count: assessments.count), settings: ChurnSettings())
        var expected: [String: ClientStatus] = [:]
        for assessment in assessments { expected[assessment.facts.clientID] = assessment.status.status }
        #expect(stored == expected)
        let score = DetectionScore(clients: generator.clients, statuses: stored, lastPurchase: last, asOf: asOf)
        #expect(score.falseAlarmRate <= 0.02, "\(score)")
        #expect(score.lostPrecision >= 0.95, "\(score)")
        #expect(score.lostRecall >= 0.95, "\(score)")
    }
}

@Suite("The silence stage in parts")
struct SilenceSplitTests {
    @Test(
        "in parts on threads, or in parts taken in reverse, every client's verdict, numbers and the fits are as in one pass"
    )
    func sameInParts() {
        let scenario = SalesScenario(
            clients: 150, start: Day(iso: "2024-01-01")!, end: Day(iso: "2025-03-31")!, seed: 31)
        var lines: [SaleLine] = []
        SalesGenerator(scenario).generate { lines.append($0) }
        var buying: [Day: Set<String>] = [:]
        for line in lines { buying[line.day, default: []].insert(line.clientID) }
        let calendar = BusinessCalendar.learned(
            buyingClients: buying.mapValues(\.count), from: buying.keys.min()!, through: scenario.end)
        let assessed = ClientHistory.from(lines).map {
            Assessment(history: $0, previous: nil, asOf: scenario.end, settings: ChurnSettings(), calendar: calendar)
        }
        let previous = [StatusSince?](repeating: nil, count: assessed.count)
        var serial = assessed
        let one = SilenceStage.apply(to: &serial, previous: previous, settings: ChurnSettings())
        // Seven uneven parts, the last first: each client must still land in its own place.
        let reversed = ClientSplit { count, body in
            for part in (0..<7).reversed() { body((count * part / 7)..<(count * (part + 1) / 7)) }
        }
        for split in [ClientSplit.threads, reversed] {
            var parted = assessed
            let other = SilenceStage.apply(to: &parted, previous: previous, settings: ChurnSettings(), split: split)
            #expect(parted == serial)
            #expect(other.views == one.views)
            #expect(other.fits == one.fits)
        }
        #expect(serial.contains { $0.status.status == .lost }, "the book has lost clients to judge")
    }
}

@Suite("Rescans of the same day")
struct SameDayRescanTests {
    @Test("a rescan of the same day writes only the states and alerts it changes")
    func writesOnlyChanges() throws {
        let fixture = try ScanFixture()
        try fixture.load("first.csv", HistoryRecordTests.book().first)
        let first = try fixture.scan("2024-06-30")
        let states = "SELECT * FROM client_states ORDER BY client"
        let alerts = "SELECT * FROM alerts ORDER BY id"
        let before = (try fixture.table(states), try fixture.table(alerts))
        let again = try fixture.scan("2024-06-30")
        #expect(again.scanID != first.scanID)
        // Nothing changed: every row is the first scan's, scan id included.
        #expect(try fixture.table(states) == before.0)
        #expect(try fixture.table(alerts) == before.1)
        // A late line changes a client, and through the book's shares and fits others: the rows the rescan wrote
        // are those whose content changed.
        try fixture.load(
            "late.csv",
            """
            date,client_id,document,line,amount,category
            2024-06-29,C000003,LATE-1,1,250,Paint

            """)
        let third = try fixture.scan("2024-06-30")
        let after = try fixture.table(states)
        #expect(after.count == before.0.count)
        for (old, new) in zip(before.0, after) {
            let changed = Array(old.dropFirst(2)) != Array(new.dropFirst(2))
            #expect((new[1] == third.scanID.databaseValue) == changed, "client \(new[0])")
        }
    }
}
