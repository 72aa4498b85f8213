import Foundation
import Testing
import WinbackCore

@testable import WinbackReports

/// A book's worth of rows with the long texts real scans write.
enum Wide {
    static let day = Day(iso: "2025-12-31")!

    static var alerts: [Alert] {
        [
            Alert(
                id: 298, clientID: "C000099", clientName: "Savaplast Oy", manager: "Greta Lund", kind: .decline,
                category: nil, severity: .critical, status: .new,
                title: "A-client Savaplast Oy (C000099) declining: revenue −74 % against the same days a year earlier",
                explanation: "last 90 days revenue −74 % against the same days a year earlier (949 against 6,454, per "
                    + "working day); 4.3 times what its 90-day windows ordinarily vary",
                offer: Offer(
                    kind: .visit, text: "Personal visit by the key account manager to hear what changed", rule: "v"),
                value: Money(units: 16_677), firstSeen: day, lastSeen: day),
            Alert(
                id: 1333, clientID: "C000097", clientName: "Weserindustrie Maschinenbau AB", manager: "Eva Novák",
                kind: .lost, category: nil, severity: .warning, status: .acknowledged,
                title: "B-client Weserindustrie Maschinenbau AB (C000097) lost: silent 272 days, buys every 40",
                explanation: "buys every 40 days (fairly regular: gaps vary ±46 %); silent for 272 days",
                offer: nil, value: Money(units: 1_234_777), firstSeen: day, lastSeen: day),
            Alert(
                id: 7, clientID: "C000213", clientName: "Alpenservice s.r.o.", manager: "Chloé Martin",
                kind: .categoryDrop, category: "Elektro-Zubehör", severity: .info, status: .snoozed,
                snoozedUntil: Day(iso: "2026-02-01"),
                title: "A-client Alpenservice s.r.o. (C000213) stopped buying Elektro-Zubehör",
                explanation: "bought Elektro-Zubehör on 60 % of its purchase days; none in the 8 purchases since",
                offer: nil, value: nil, firstSeen: day, lastSeen: day),
        ]
    }

    static var winback: [WinbackListEntry] {
        [
            WinbackListEntry(
                rank: 1, clientID: "C000188", clientName: "Savaindustrie KG", manager: "Greta Lund", region: "Süd",
                status: .lost,
                reason: "buys every 7 days (fairly regular: gaps vary ±42 %); silent for 385 days, 50.6× its mean gap "
                    + "in working time; a client still buying is this silent less than once in a billion times",
                value: Money(units: 119_116), missedCycles: 54,
                offer: Offer(
                    kind: .discount, text: "Written special offer: 5 % off the next order", discount: 5, rule: "x"),
                abc: .c, asOf: day, pAlive: 0.001, valueAtRisk: Money(units: 119_100), pBuy: 0.002),
            WinbackListEntry(
                rank: 2, clientID: "C000037", clientName: "Atlastrade s.r.o.", manager: "Chloé Martin", region: "Nord",
                status: .atRisk,
                reason: "one purchase so far; silent for 226 days (121 working days): among the book's clients, a "
                    + "client still buying is this silent less than once in 540 times",
                value: Money(units: 17_874), missedCycles: nil,
                offer: Offer(
                    kind: .gift, text: "A call from the manager and a gift with the next order",
                    gift: "branded tool set",
                    rule: "y"),
                abc: .b, asOf: day, pAlive: 0.32, valueAtRisk: Money(units: 12_225), pBuy: 0.2),
        ]
    }

    static var clients: [ClientSummary] {
        [
            ClientSummary(
                clientID: "C000116", name: "Atlasagro Landtechnik und Service AB", manager: "Dmitri Orlov",
                region: "East", firstPurchase: Day(iso: "2024-01-08"), lastPurchase: Day(iso: "2025-12-22"),
                documents: 38, revenue: Money(units: 1_161_522),
                state: ClientState(
                    asOf: day, status: .active, statusSince: day, reason: "", abc: .a, xyz: .z, share: 0.136,
                    dependence: .key, revenue: Money(units: 1_161_522), purchaseDays: 38, rhythm: 12,
                    expectedNext: Day(iso: "2026-01-03"), daysSilent: 9, findings: [], pAlive: 1,
                    expectedPurchases: 5.67,
                    pBuy: 0.99, silenceProbability: 1, season: "usually buys March to October")),
            ClientSummary(clientID: "C9", name: "Nordbau", documents: 0, revenue: .zero),
        ]
    }

    /// Every word any cell or header of `listing` holds whole, with the separators a shortened text may lose.
    static func words(_ listing: Listing) -> Set<String> {
        var words: Set<String> = ["…"]
        func add(_ text: String) {
            for word in text.split(separator: " ") {
                words.insert(String(word))
                words.insert(String(word.trimmingCharacters(in: CharacterSet(charactersIn: ",;:"))))
            }
        }
        listing.columns.forEach { add($0.header) }
        for row in listing.rows {
            for cell in row {
                switch cell {
                case .text(let text), .number(let text), .structured(let text, _): add(text ?? "")
                case .date(let day): add(day?.iso ?? "")
                }
            }
        }
        return words
    }

    /// The words of `table` that are no whole word of `listing`: what a cut inside a word leaves.
    static func cutWords(_ table: String, of listing: Listing) -> [String] {
        let whole = words(listing)
        return table.split(whereSeparator: \.isWhitespace).map(String.init).filter { token in
            let word = token.hasSuffix("…") ? String(token.dropLast()) : token
            return !whole.contains(word) && !word.allSatisfy { $0 == "-" }
        }
    }
}

@Suite("Tables that fit the terminal")
struct TableFitTests {
    static let listings: [(name: String, listing: Listing, key: [String])] = [
        ("alerts", Listings.alerts(Wide.alerts, format: .table), ["id", "title"]),
        ("list", Listings.winback(Wide.winback, format: .table), ["#", "name", "reason"]),
        ("clients", Listings.clients(Wide.clients, format: .table), ["client", "name"]),
    ]

    @Test(
        "at 80 and 120 columns no line is longer, the key columns are there, and no word is cut", arguments: [80, 120])
    func fits(width: Int) {
        for (name, listing, key) in Self.listings {
            let table = listing.render(.table, locale: .plain, fit: TableFit(width: width))
            let lines = table.split(separator: "\n")
            let longest = lines.map(\.count).max() ?? 0
            #expect(longest <= width, "\(name) at \(width): a line of \(longest) columns\n\(table)")
            let headers = lines.first?.split(separator: " ").map(String.init) ?? []
            for column in key { #expect(headers.contains(column), "\(name) at \(width) lacks \(column)\n\(table)") }
            #expect(
                Wide.cutWords(table, of: listing).isEmpty,
                "\(name) at \(width) cut \(Wide.cutWords(table, of: listing))")
        }
    }

    @Test("the alert list at 80 columns keeps id, severity, title and value, and wraps a title whole within its cell")
    func alertsAt80() throws {
        let table = Listings.alerts(Wide.alerts, format: .table).render(
            .table, locale: .plain, fit: TableFit(width: 80))
        let lines = table.split(separator: "\n").map(String.init)
        // `acknowledged` makes the status column too wide to keep.
        #expect(lines[0].split(separator: " ") == ["id", "severity", "title", "value"])
        #expect(lines[2].hasPrefix(" 298  critical  A-client"))
        #expect(lines[2].hasSuffix("16,677"), "the value stays on the row's first line")
        // The title's next lines start under the first, every other cell of them blank.
        let column = try #require(lines[0].range(of: "title")).lowerBound
        let offset = lines[0].distance(from: lines[0].startIndex, to: column)
        var title: [String] = []
        for (number, line) in lines.dropFirst(2).enumerated() {
            guard number == 0 || line.prefix(offset).allSatisfy({ $0 == " " }) else { break }
            title.append(String(line.dropFirst(offset)).components(separatedBy: "  ")[0])
        }
        #expect(title.count > 1)
        #expect(title.joined(separator: " ") == Wide.alerts[0].title, "\(table)")
    }

    @Test("columns give way by priority: the least important first, from the right among equals")
    func priorities() {
        func headers(_ width: Int) -> [String] {
            let table = Listings.alerts(Wide.alerts, format: .table)
                .render(.table, locale: .plain, fit: TableFit(width: width))
            return table.split(separator: "\n").first?.split(separator: " ").map(String.init) ?? []
        }
        // The title keeps 60 % of the width; severity, status and manager are medium, kind, client, category, since and
        // snoozed low, id and title key, value high.
        #expect(headers(60) == ["id", "title", "value"])
        #expect(headers(140) == ["id", "severity", "status", "manager", "title", "value"])
        #expect(headers(160) == ["id", "severity", "status", "kind", "client", "manager", "title", "value"])
        #expect(
            headers(400) == [
                "id", "severity", "status", "kind", "client", "manager", "title", "category", "value",
                "since", "snoozed", "to",
            ])
    }

    @Test("--wide shows every column with every text whole, one line a row; JSON and CSV do not change")
    func wide() {
        let listing = Listings.winback(Wide.winback, format: .table)
        let table = listing.render(.table, locale: .plain, fit: .everything)
        let lines = table.split(separator: "\n")
        #expect(lines.count == 2 + Wide.winback.count)
        for column in listing.columns { #expect(lines[0].contains(column.header)) }
        #expect(table.contains(Wide.winback[0].reason))
        #expect(!table.contains("…"))
        let alerts = Listings.alerts(Wide.alerts, format: .table).render(.table, locale: .plain, fit: .everything)
        #expect(alerts.contains(Wide.alerts[0].explanation))
        #expect(alerts.contains("Personal visit by the key account manager to hear what changed"))
        let json = Listings.alerts(Wide.alerts, format: .json)
        #expect(json.render(.json, locale: .plain, fit: TableFit(width: 40)) == json.render(.json))
    }

    @Test(
        "without a width (output to a program): the default columns, each row on one line, long text shortened at a word"
    )
    func unlimited() {
        let listing = Listings.winback(Wide.winback, format: .table)
        let table = listing.render(.table, locale: .plain, fit: .unlimited)
        let lines = table.split(separator: "\n")
        #expect(lines.count == 2 + Wide.winback.count)
        #expect(lines[0].split(separator: " ").contains("missed"))
        #expect(!lines[0].contains("no visit before"), "detail columns wait for --wide")
        #expect(
            lines[2].contains("  buys every 7 days (fairly regular: gaps vary ±42 %); silent…  "), "at its 60 columns")
        #expect(Wide.cutWords(table, of: listing).isEmpty)
    }

    @Test("a 1 MB name in a --wide table is written whole without padding every other row to its width")
    func hugeValue() {
        var alerts = Wide.alerts
        alerts[0].clientName = String(repeating: "x", count: 1 << 20)
        let table = Listings.alerts(alerts, format: .table).render(.table, locale: .plain, fit: .everything)
        #expect(table.utf8.count < (1 << 20) + 20_000)
    }
}

@Suite("Text in a cell")
struct CellTextTests {
    @Test("shortened at the end of a word, without a separator before the ellipsis")
    func shorten() {
        let text = "revenue −74 % against the same days a year earlier"
        #expect(CellText.shorten(text, to: 40) == "revenue −74 % against the same days a…")
        #expect(CellText.shorten(text, to: 30) == "revenue −74 % against the…")
        #expect(CellText.shorten("silent for 385 days, 50.6× its mean gap", to: 22) == "silent for 385 days…")
        #expect(CellText.shorten("Weserindustrie", to: 8) == "Weserin…", "one word wider than the cell")
        #expect(CellText.shorten("short", to: 8) == "short")
    }

    @Test("wrapped between words, `5 %` kept together, at most so many lines")
    func wrap() {
        #expect(
            CellText.wrap("Written special offer: 5 % off the next order", width: 24, lines: 3) == [
                "Written special offer:", "5 % off the next order",
            ])
        #expect(
            CellText.wrap(
                "buys every 7 days (fairly regular: gaps vary ±42 %); silent for 385 days", width: 20, lines: 3)
                == ["buys every 7 days", "(fairly regular:", "gaps vary ±42 %)…"])
        #expect(
            CellText.wrap("Savaindustrie KG", width: 10, lines: 2) == ["Savaindust", "rie KG"], "one word too wide")
        #expect(CellText.longestWord("gaps vary ±42 %); silent") == 7)
        #expect(CellText.longestWord("Elektro-Zubehör und Zubehör") == 15)
    }
}
