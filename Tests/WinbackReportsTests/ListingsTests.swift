import Foundation
import Testing
import WinbackCore
import WinbackReports

/// A lost client's alert, with an offer, as the store would hand it over.
func lostAlert(name: String = "Nordbau GmbH", id: Int64 = 7) -> Alert {
    Alert(
        id: id, clientID: "C1", clientName: name, manager: "Eva Novák", kind: .lost, category: nil, severity: .critical,
        status: .new, title: "A-client \(name) (C1) lost: silent 54 days, buys every 7",
        explanation: "silent for 54 days",
        offer: Offer(
            kind: .discount, text: "10 % on the next order", discount: 10, rule: "lost-a",
            pausedUntil: Day(iso: "2025-04-01")),
        value: Money(units: 52_000), firstSeen: Day(iso: "2025-03-01")!, lastSeen: Day(iso: "2025-03-31")!)
}

func jsonObjects(_ text: String) throws -> [[String: Any]] {
    try #require(try JSONSerialization.jsonObject(with: Data(text.utf8)) as? [[String: Any]])
}

@Suite("Listings and their renderers")
struct ListingsTests {
    @Test("alerts --format json carries the offer as the same object as alerts.jsonl, and CSV as one line of text")
    func offerObject() throws {
        let alert = lostAlert()
        let listing = try jsonObjects(Listings.alerts([alert], format: .json).render(.json))
        let line = try #require(
            try JSONSerialization.jsonObject(with: Data(AlertJSONLines.render([alert], asOf: alert.lastSeen).utf8))
                as? [String: Any])
        let fromListing = try #require(listing.first?["offer"] as? [String: Any])
        let fromLines = try #require(line["offer"] as? [String: Any])
        #expect(NSDictionary(dictionary: fromListing) == NSDictionary(dictionary: fromLines))
        #expect(fromListing["discount_percent"] as? Double == 10)
        #expect(fromListing["no_visit_before"] as? String == "2025-04-01")
        #expect(listing.first?["value"] as? Double == 52_000)
        let csv = Listings.alerts([alert], format: .csv).render(.csv)
        #expect(csv.contains("10 % on the next order; no personal visit before 2025-04-01"))
    }

    @Test("CSV cells a spreadsheet would run as a formula get an apostrophe; a quote before a combining mark is quoted")
    func csvCells() {
        let csv = Listings.alerts(
            [lostAlert(name: "=HYPERLINK(\"x\")"), lostAlert(name: "Acme \"\u{301}Tools, Ltd")], format: .csv
        )
        .render(.csv)
        #expect(csv.contains("'=HYPERLINK(\"\"x\"\")"))
        #expect(csv.contains("\"Acme \"\"\u{301}Tools, Ltd\""))
        #expect(csv.hasSuffix("\r\n"))
    }

    @Test("a diverged fit prints null in JSON and an empty cell in CSV, never nan")
    func divergedFit() throws {
        let fit = BetaGeometricModel.Fit(
            model: BetaGeometricModel(variant: .bgnbd, r: .nan, alpha: .infinity, a: 1, b: 2),
            logLikelihood: -.infinity,
            clients: 12, iterations: 500, converged: false)
        let day = Day(iso: "2025-03-31")!
        let json = ModelFitOutput.render(fit, asOf: day, seconds: 0.5, format: .json)
        #expect(!json.contains("nan") && !json.contains("inf"))
        let object = try #require(try JSONSerialization.jsonObject(with: Data(json.utf8)) as? [String: Any])
        #expect(object["r"] is NSNull)
        #expect(object["converged"] as? Bool == false)
        let csv = ModelFitOutput.render(fit, asOf: day, seconds: 0.5, format: .csv)
        #expect(csv.split(separator: "\r\n").last == "bgnbd,,,1.0,2.0,,day,12,false,500,2025-03-31")
    }

    @Test("a number cell that is not a JSON number (n/a, ∞) is null in JSON, never bare text")
    func jsonNumbers() throws {
        var listing = Listing(columns: [
            .init(key: "a", header: "a"), .init(key: "b", header: "b"), .init(key: "c", header: "c"),
        ])
        listing.append([.number(fixed(.nan, 2)), .number(fixed(.infinity, 2)), .number("-0.25e-3")])
        listing.append([.number("12.5 %"), .number("007"), .number("1234.50")])
        let rows = try jsonObjects(listing.render(.json))
        #expect(rows[0]["a"] is NSNull && rows[0]["b"] is NSNull && rows[0]["c"] as? Double == -0.00025)
        #expect(rows[1]["a"] is NSNull && rows[1]["b"] is NSNull && rows[1]["c"] as? Double == 1234.5)
    }

    @Test("a listing that makes its rows as they are written renders as the same listing built row by row")
    func madeRows() {
        let columns: [Listing.Column] = [.init(key: "name", header: "name"), .init(key: "n", header: "n")]
        let values = [("Nordbau, \"Süd\"", 1), ("=1+1", -2), ("Ålesund\nline", 30)]
        let made = Listing(columns: columns, count: values.count) { [.text(values[$0].0), .integer(values[$0].1)] }
        var built = Listing(columns: columns)
        for (name, number) in values { built.append([.text(name), .integer(number)]) }
        #expect(made.rowCount == 3)
        for format in OutputFormat.allCases {
            #expect(made.render(format) == built.render(format), "\(format)")
            #expect(
                made.bytes(format, locale: LocaleOutputTests.german)
                    == built.bytes(format, locale: LocaleOutputTests.german), "\(format)")
        }
        let rows = (0..<made.rowCount).map { made.row($0) }.map { row in
            if case .text(let name?) = row[0] { name } else { "" }
        }
        #expect(rows == values.map(\.0))
        // Appending to it keeps the rows made so far, in order.
        var grown = made
        grown.append([.text("last"), .integer(4)])
        #expect(grown.rowCount == 4)
        #expect(grown.render(.csv) == built.render(.csv) + "last,4\r\n")
        #expect(Listing(columns: columns, count: 0) { _ in [] }.render(.json) == "[]\n")
    }

    @Test("a table shortens long text with an ellipsis and shows control characters from data, never sends them")
    func tableCells() {
        let name = "Evil\u{1b}[2J Ltd, a name long enough to be cut in a terminal"
        let table = Listings.alerts([lostAlert(name: name)], format: .table).render(.table)
        #expect(!table.unicodeScalars.contains { $0.value == 0x1b })
        #expect(table.contains("Evil\\u{1b}[2J Ltd, a name"))
        #expect(table.contains("…"))
        #expect(!table.contains("buys every 7"), "the title is shortened at a word")
    }
}

@Suite("A client's story")
struct ClientStoryTests {
    let state = ClientState(
        asOf: Day(iso: "2025-03-31")!, status: .atRisk, statusSince: Day(iso: "2025-03-20")!, reason: "silent 30 days",
        abc: .a, xyz: .x, share: 0.04, dependence: .key, revenue: Money(units: 52_000), purchaseDays: 40, rhythm: 7,
        expectedNext: Day(iso: "2025-03-08"), daysSilent: 30, findings: [], pAlive: 0.3, expectedPurchases: 1.2,
        pBuy: 0.4)

    func client(name: String = "Nordbau GmbH") -> ClientSummary {
        ClientSummary(
            clientID: "C1", name: name, manager: "Eva", firstPurchase: Day(iso: "2024-01-02"),
            lastPurchase: Day(iso: "2025-03-01"), documents: 40, revenue: Money(units: 60_000), state: state)
    }

    @Test("the purchase model's line names the configured horizon, and data cannot send control characters")
    func text() {
        let story = ClientStory.text(client(name: "Nordbau\u{1b}]0;x\u{7}"), facts: nil, changes: [], horizon: 120)
        #expect(story.contains("of buying within 120 days"))
        #expect(story.contains("Buys every 7.0 days"))
        #expect(!story.unicodeScalars.contains { $0.value < 0x20 && $0 != "\n" })
    }

    @Test("the JSON is one array holding the client's object, with the stored names of its fields")
    func json() throws {
        let change = StatusChange(day: Day(iso: "2025-03-20")!, from: .active, to: .atRisk, reason: "silent 30 days")
        let objects = try jsonObjects(ClientStory.json(client(), facts: nil, changes: [change]))
        let object = try #require(objects.first)
        #expect(objects.count == 1)
        #expect(object["typical_interval_days"] as? Double == 7)
        #expect(object["revenue"] as? Double == 60_000)
        #expect(object["missed_cycles"] as? Int == 3)
        #expect((object["status_history"] as? [[String: Any]])?.first?["from"] as? String == "active")
    }
}

@Suite("The digest")
struct DigestTests {
    @Test("built from a day's view, it counts each direction on that day against the day before, not on later days")
    func fromView() {
        func point(_ day: String, _ direction: String, lost: Int) -> FailurePoint {
            var counts = FailureCounts()
            counts.clients = 10
            counts.lost = lost
            return FailurePoint(asOf: Day(iso: day)!, direction: direction, counts: counts)
        }
        let view = DayView(
            asOf: Day(iso: "2025-03-31")!, alerts: [lostAlert()], winback: [],
            trend: [
                .all: [point("2025-03-30", "all", lost: 1), point("2025-03-31", "all", lost: 2)],
                .manager: [point("2025-03-30", "Eva", lost: 1), point("2025-03-31", "Eva", lost: 2)],
            ])
        let digest = Digest(view)
        #expect(digest.byDirection[.manager]?.map(\.point.asOf) == [Day(iso: "2025-03-31")!])
        #expect(digest.byDirection[.manager]?.first?.before?.lost == 1)
        #expect(digest.overall.count == 2)
        #expect(digest.render().contains("Nordbau GmbH"))
    }
}

@Suite("CSV fields")
struct CSVFieldTests {
    @Test("every text cell is written as escaping, neutralising and quoting it would, plain ones copied as they are")
    func fieldsAsQuoted() {
        let texts: [String?] = [
            nil, "", "plain", "Eva Novák", "−74 %", "a,b", "say \"hi\"", "line\nbreak", "cr\rhere", "=1+2", "+49 30",
            "-5", "@SUM(A1)", "\ttab", "esc \u{1B}[31m", "c1 \u{9B}x", "del \u{7F}", "e\u{301}\"", "日本語, ok",
            "'=already", "Ünïcödé=", "x\u{2028}y",
        ]
        var listing = Listing(columns: [.init(key: "text", header: "text"), .init(key: "n", header: "n")])
        for text in texts { listing.append([.text(text), .number("1.5")]) }
        listing.append([.structured("a, \"b\"", .null), .date(Day(iso: "2025-01-02"))])
        var expected = "text,n\r\n"
        for text in texts {
            expected += CSVRenderer.quote(CSVRenderer.neutralise(escapeControls(text ?? ""))) + ",1.5\r\n"
        }
        expected += "\"a, \"\"b\"\"\",2025-01-02\r\n"
        #expect(CSVRenderer.render(listing) == expected)
    }
}

@Suite("Locale")
struct LocaleOutputTests {
    static let german = OutputLocale(
        identifier: "de_DE", currency: "EUR",
        numbers: NumberStyle(decimalMark: ",", groupingMark: ".", currencySuffix: "\u{A0}€"), csvDelimiter: ";",
        byteOrderMark: true)

    @Test("a German CSV: byte order mark, `;`, decimal commas in numbers, a `;` in text quoted, a comma not")
    func germanCSV() {
        let csv = Listings.alerts([lostAlert(name: "Nordbau; Söhne, GmbH")], format: .csv)
            .render(.csv, locale: Self.german)
        #expect(csv.utf8.starts(with: [0xEF, 0xBB, 0xBF]))
        let lines = csv.dropFirst().split(separator: "\r\n").map(String.init)
        #expect(lines[0].hasPrefix("id;severity;status;kind;client_id;client_name;manager;"))
        #expect(lines[1].contains(";\"Nordbau; Söhne, GmbH\";Eva Novák;"))
        #expect(lines[1].contains(";52000,00;"))
        #expect(!csv.contains("52.000"), "spreadsheet numbers are never grouped")
    }

    @Test("the tab delimiter quotes nothing but what needs it, and the default CSV is unchanged")
    func defaultUnchanged() {
        let listing = Listings.alerts([lostAlert()], format: .csv)
        #expect(listing.render(.csv, locale: .plain) == listing.render(.csv))
        #expect(!listing.render(.csv).utf8.starts(with: [0xEF, 0xBB, 0xBF]))
    }

    @Test("tables write numbers in the locale's marks; JSON never changes")
    func tablesAndJSON() {
        let table = Listings.alerts([lostAlert()], format: .table).render(.table, locale: Self.german)
        #expect(table.contains("52.000"))
        #expect(!table.contains("52,000"))
        let json = Listings.alerts([lostAlert()], format: .json)
        #expect(json.render(.json, locale: Self.german) == json.render(.json))
    }

    @Test("the digest writes counts and amounts in the locale, with the currency")
    func digest() {
        var counts = FailureCounts()
        counts.clients = 12_345
        counts.lost = 2
        counts.revenueAtRisk = Money(units: 346_540)
        let view = DayView(
            asOf: Day(iso: "2025-03-31")!, alerts: [lostAlert()], winback: [],
            trend: [.all: [FailurePoint(asOf: Day(iso: "2025-03-31")!, direction: "all", counts: counts)]])
        let german = Digest(view, numbers: Self.german.numbers).render()
        #expect(german.contains("12.345 clients scanned"))
        #expect(german.contains("| revenue at risk (a year's worth) | 346.540\u{A0}€ |"))
        let plain = Digest(view).render()
        #expect(plain.contains("12345 clients scanned"))
        #expect(plain.contains("| 346,540 |"))
    }
}

@Suite("The digest's order and its HTML")
struct DigestContentTests {
    static let day = Day(iso: "2025-03-31")!

    static func alert(
        _ id: Int64, _ kind: AlertKind, value: Int64?, manager: String? = "Eva", client: String? = "C1",
        title: String? = nil
    ) -> Alert {
        Alert(
            id: id, clientID: client, clientName: "Client \(id)", manager: manager, kind: kind, category: nil,
            severity: kind == .lost ? .critical : .info, status: .new, title: title ?? "alert \(id)",
            explanation: "because", offer: nil, value: value.map { Money(units: $0) }, firstSeen: day, lastSeen: day)
    }

    @Test("new alerts lead with the book's problems, then losses by value; contact gaps become one line per manager")
    func order() {
        let alerts = [
            Self.alert(1, .contactGap, value: nil), Self.alert(2, .atRisk, value: 500),
            Self.alert(3, .contactGap, value: nil, manager: "Jan"), Self.alert(4, .lost, value: 9000),
            Self.alert(5, .dossierStale, value: nil), Self.alert(6, .contactGap, value: nil),
            Self.alert(7, .feedStale, value: nil, manager: nil, client: nil),
        ]
        let digest = Digest(DayView(asOf: Self.day, alerts: alerts, winback: []))
        let text = digest.render()
        let lines = text.split(separator: "\n").map(String.init)
        let fresh = lines.filter { $0.hasPrefix("- **") }
        #expect(fresh.map { $0.contains("alert 7") } == [true, false, false])
        #expect(fresh[1].contains("alert 4") && fresh[2].contains("alert 2"))
        #expect(lines.contains("- Eva: 2 key clients without a recent positive contact, 1 dossier to review"))
        #expect(lines.contains("- Jan: 1 key client without a recent positive contact"))
        #expect(text.contains("## New today: 3 alerts"))
        let named = Digest(
            DayView(
                asOf: Self.day,
                alerts: [Self.alert(8, .lost, value: 1, title: "Müller & Söhne &amp; AT&T")], winback: []))
        #expect(named.render().contains("Müller & Söhne \\&amp; AT\\&T"), "no character reference is read into a name")
    }

    @Test("the HTML page is one e-mail-safe file: inline styles and SVG, no script or outside link, data escaped")
    func html() {
        var counts = FailureCounts()
        counts.clients = 10
        counts.lost = 2
        counts.atRisk = 3
        let points = ["2025-01-31", "2025-02-28", "2025-03-31"].map {
            FailurePoint(asOf: Day(iso: $0)!, direction: "all", counts: counts)
        }
        let byCategory = points.map { FailurePoint(asOf: $0.asOf, direction: "Tools & <Hardware>", counts: counts) }
        let hostile = Self.alert(1, .lost, value: 100, title: "<script>alert(1)</script> \"quoted\" & 'single'")
        let page = Digest(
            DayView(asOf: Self.day, alerts: [hostile], winback: [], trend: [.all: points, .category: byCategory])
        ).renderHTML()
        #expect(page.hasPrefix("<!DOCTYPE html>"))
        #expect(!page.lowercased().contains("<script"))
        #expect(page.contains("&lt;script&gt;alert(1)&lt;/script&gt; &quot;quoted&quot; &amp; &#39;single&#39;"))
        #expect(page.contains("Tools &amp; &lt;Hardware&gt;"))
        #expect(page.components(separatedBy: "<svg").count == 3, "the trend and one direction chart")
        #expect(!page.contains("<style") && !page.contains("<link") && !page.contains("src="))
        #expect(
            !page.contains("http://") || page.components(separatedBy: "http://").count - 1 == 2, "only SVG's namespace")
        for tag in ["html", "body", "svg", "table", "ul"] {
            #expect(
                page.components(separatedBy: "<\(tag)").count == page.components(separatedBy: "</\(tag)>").count,
                "every <\(tag)> is closed")
        }
    }
}
