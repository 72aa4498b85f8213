import Foundation
import GRDB
import PropertyBased
import Testing
import WinbackConfig
import WinbackCore
import WinbackImport
import WinbackOutbox
import WinbackRuntime
import WinbackScan
@testable import WinbackStore

// Properties of the whole path, import → scan → outbox, over generated books with extreme but valid values: amounts
// at the line limit and of one ten-thousandth, zero amounts and returns, thousands of lines on one client-day, days
// from 1900 to 2099 and on Feb 29, long names of control characters, quotes, delimiters and unicode.
//
// Every case is drawn from its own fixed seed (see `forEachCase`), so every run and CI test the same books, and a
// failure names the case that shows it.

/// Runs `body` on `count` values of `generator`, the i-th drawn from a generator seeded with `seed` and i; an error
/// thrown is recorded with its case, and the next case runs.
func forEachCase<Value>(
    _ count: Int, seed: UInt64, of generator: Generator<Value, some Sequence>, _ body: (Value, String) throws -> Void
) {
    for index in 0..<count {
        var random = Xoshiro(seed: (seed, UInt64(index), 0x9E37_79B9_7F4A_7C15, 0xD1B5_4A32_D192_ED03))
        let value = generator.run(using: &random)
        let label = "seed \(seed) case \(index)"
        do {
            try body(value, label)
        } catch {
            Issue.record("\(label): \(String(describing: error).prefix(2_000))")
        }
    }
}

/// One generated sales line, as the export states it.
struct BookLine: Sendable {
    var day: Day
    var client: String
    var name: String?
    var document: String
    var line: Int
    var category: String?
    var manager: String?
    /// Ten-thousandths, as stored.
    var amount: Int64
    var margin: Int64?
}

/// How an export is written: what the importer must accept without configuration.
struct ExportStyle: Sendable {
    var delimiter: String = ","
    var decimalComma = false
    var lineEnd = "\n"
    /// 0: `YYYY-MM-DD`, 1: `DD.MM.YYYY`, 2: `YYYYMMDD`.
    var dateForm = 0
    var byteOrderMark = false
}

struct Book: Sendable {
    var lines: [BookLine]
    var style = ExportStyle()

    var lastDay: Day { lines.map(\.day).max()! }
    var firstDay: Day { lines.map(\.day).min()! }

    /// The export as a file's text.
    func csv(style: ExportStyle? = nil) -> String {
        let style = style ?? self.style
        let d = style.delimiter
        var out = style.byteOrderMark ? "\u{FEFF}" : ""
        out += ["date", "client_id", "client_name", "document", "line", "category", "manager", "amount", "margin"]
            .joined(separator: d) + style.lineEnd
        for line in lines {
            let fields = [
                Self.date(line.day, style.dateForm), Self.quoted(line.client), line.name.map(Self.quoted) ?? "",
                Self.quoted(line.document), String(line.line), line.category.map(Self.quoted) ?? "",
                line.manager.map(Self.quoted) ?? "", Self.amount(line.amount, style),
                line.margin.map { Self.amount($0, style) } ?? "",
            ]
            out += fields.joined(separator: d) + style.lineEnd
        }
        return out
    }

    /// Quoted by scalars: a quote followed by a combining mark is one `Character`, and still a quote in the file.
    static func quoted(_ text: String) -> String {
        var out = "\""
        for scalar in text.unicodeScalars {
            if scalar == "\"" { out.unicodeScalars.append(scalar) }
            out.unicodeScalars.append(scalar)
        }
        return out + "\""
    }

    static func amount(_ scaled: Int64, _ style: ExportStyle) -> String {
        let text = Money(scaled: scaled).decimalString(minimumDecimals: 4)
        return style.decimalComma ? text.replacingOccurrences(of: ".", with: ",") : text
    }

    static func date(_ day: Day, _ form: Int) -> String {
        let (y, m, d) = day.components
        let year = String(y).leftPadded(to: 4)
        let month = String(m).leftPadded(to: 2)
        let dayOfMonth = String(d).leftPadded(to: 2)
        switch form {
        case 1: return "\(dayOfMonth).\(month).\(year)"
        case 2: return year + month + dayOfMonth
        default: return "\(year)-\(month)-\(dayOfMonth)"
        }
    }
}

/// What the importer keeps of a text cell: spaces and tabs around it are trimmed.
func trimmed(_ text: String) -> String {
    var scalars = Substring(text).unicodeScalars
    while let first = scalars.first, first == " " || first == "\t" { scalars.removeFirst() }
    while let last = scalars.last, last == " " || last == "\t" { scalars.removeLast() }
    return String(scalars)
}

enum BookGen {
    /// Characters that have broken exports and outputs before: delimiters, quotes, formula marks, every control
    /// character but NUL (which import refuses), C1 controls, line and paragraph separators, bidi overrides,
    /// combining marks, emoji.
    static let hostile: [Character] = {
        var characters: [Character] = Array("aZ09 ,;\"'=+-@|*_`[]<>#\\/.").map { $0 }
        characters += (0x01...0x1F).map { Character(Unicode.Scalar($0)!) }
        characters += (0x7F...0x9F).map { Character(Unicode.Scalar($0)!) }
        characters += ["é", "ß", "中", "😀", "\u{0301}", "\u{200D}", "\u{2028}", "\u{2029}", "\u{202E}", "\u{FEFF}", "\u{FFFD}"]
        return characters
    }()

    static let text = Generator<String, Shrink.None<String>> { random in
        let plain = Gen<Character?>.element(of: Array("abcdefghijklmnopqrstuvwxyz ")).map { $0 ?? "x" }
        let wild = Gen<Character?>.element(of: hostile).map { $0 ?? "x" }
        switch Int.random(in: 0..<10, using: &random) {
        case 0..<4: return plain.string(of: 1...12).run(using: &random)
        case 4..<9: return wild.string(of: 1...16).run(using: &random)
        default: return wild.string(of: 200...2_000).run(using: &random)
        }
    }

    /// Ten-thousandths: the line limit either way, one ten-thousandth, zero, and ordinary amounts.
    static let amount = Generator<Int64, Shrink.None<Int64>> { random in
        let limit = Money.lineLimit.scaled
        switch Int.random(in: 0..<12, using: &random) {
        case 0: return limit
        case 1: return -limit
        case 2: return 1
        case 3: return -1
        case 4: return 0
        case 5: return Gen.int64(in: -limit...limit).run(using: &random)
        case 6: return -Gen.int64(in: 1...10_000_000).run(using: &random)
        default: return Gen.int64(in: 1...100_000_000).run(using: &random)
        }
    }

    static let edgeDays: [Day] = [
        "1900-01-01", "1900-02-28", "1900-03-01", "1904-02-29", "1999-12-31", "2000-02-29", "2024-02-29", "2096-02-29",
        "2099-02-28", "2099-12-31",
    ].map { Day(iso: $0)! }

    static let style = Generator<ExportStyle, Shrink.None<ExportStyle>> { random in
        var style = ExportStyle()
        style.delimiter = [",", ";", "\t"].randomElement(using: &random)!
        style.decimalComma = style.delimiter != "," && Bool.random(using: &random)
        style.lineEnd = ["\n", "\r\n", "\r"].randomElement(using: &random)!
        style.dateForm = Int.random(in: 0...2, using: &random)
        style.byteOrderMark = Bool.random(using: &random)
        return style
    }

    /// A book of `clients` clients (some with one purchase), `lines` lines, days mostly within a year and a half,
    /// some at the edges; `edges` is the share of days at the edges.
    static func book(clients: ClosedRange<Int>, lines: ClosedRange<Int>, edges: Double = 0.1) -> Generator<
        Book, Shrink.None<Book>
    > {
        Generator { random in
            let start = Day(iso: "2023-01-01")!
            let clientCount = Int.random(in: clients, using: &random)
            let ids = (0..<clientCount).map { index in
                "C\(index)-" + (Bool.random(using: &random) ? text.run(using: &random) : "x")
            }
            // Some clients buy on a few days only, so that client-days pile up lines.
            let dayPool = (0..<Int.random(in: 3...40, using: &random)).map { _ in
                start.adding(days: Int.random(in: 0...540, using: &random))
            }
            var book = Book(lines: [], style: style.run(using: &random))
            for number in 0..<Int.random(in: lines, using: &random) {
                let day =
                    Double.random(in: 0..<1, using: &random) < edges
                    ? edgeDays.randomElement(using: &random)! : dayPool.randomElement(using: &random)!
                let client = ids.randomElement(using: &random)!
                book.lines.append(
                    BookLine(
                        day: day, client: client,
                        name: Bool.random(using: &random) ? text.run(using: &random) : nil,
                        document: "D\(number)" + (Int.random(in: 0..<4, using: &random) == 0 ? text.run(using: &random) : ""),
                        line: Int.random(in: 1...3, using: &random),
                        category: Int.random(in: 0..<4, using: &random) > 0
                            ? ["Tools", "Paint", text.run(using: &random)].randomElement(using: &random)! : nil,
                        manager: Bool.random(using: &random) ? text.run(using: &random) : nil,
                        amount: amount.run(using: &random),
                        margin: Bool.random(using: &random) ? amount.run(using: &random) : nil))
            }
            // A client that only returns goods, every other book.
            if Bool.random(using: &random), let client = ids.randomElement(using: &random) {
                for index in book.lines.indices where book.lines[index].client == client {
                    book.lines[index].amount = -max(1, abs(book.lines[index].amount))
                }
            }
            return book
        }
    }

    /// A clients file (master data with dossier dates) and a contacts file for some of `book`'s clients, their
    /// texts as hostile as the book's.
    static func masterData(for book: Book) -> Generator<(clients: String, contacts: String), Shrink.None<(clients: String, contacts: String)>> {
        Generator { random in
            let ids = Array(Set(book.lines.map(\.client))).sorted()
            var clients = "client_id,client_name,manager,region,segment,dossier_reviewed\n"
            var contacts = "date,client_id,manager,outcome,note\n"
            for id in ids where Bool.random(using: &random) {
                let texts = (0..<4).map { _ in Book.quoted(text.run(using: &random)) }
                let reviewed = book.firstDay.adding(days: Int.random(in: -400...400, using: &random))
                clients += "\(Book.quoted(id)),\(texts.joined(separator: ",")),\(reviewed.iso)\n"
                for _ in 0..<Int.random(in: 0...2, using: &random) {
                    let day = book.lastDay.adding(days: -Int.random(in: 0...60, using: &random))
                    let outcome = ["positive", "neutral", "NEGATIVE"].randomElement(using: &random)!
                    contacts += "\(day.iso),\(Book.quoted(id)),\(texts[1]),\(outcome),\(Book.quoted(text.run(using: &random)))\n"
                }
            }
            return (clients, contacts)
        }
    }
}

/// The scan days a case tries: the last day with sales, one long after it (every client silent), and one before.
func scanDays(_ book: Book, today: Day) -> [Day] {
    let last = book.lastDay
    var days = [last, min(last.adding(days: 900), today)]
    if book.firstDay < last { days.append(Day(number: (book.firstDay.number + last.number) / 2)) }
    return days
}

/// A state directory with a database, its outbox and a scan job whose today is the end of 2099.
struct PipelineFixture {
    let base: ScanFixture
    let outbox: Outbox
    static let today = Day(iso: "2099-12-31")!

    init() throws {
        base = try ScanFixture()
        outbox = Outbox(directory: base.folder.appendingPathComponent("outbox").path)
    }

    var database: AppDatabase { base.database }

    @discardableResult
    func load(_ name: String, _ text: String) throws -> ImportResult {
        let url = base.folder.appendingPathComponent(name)
        try Data(text.utf8).write(to: url)
        return try Importer(database: database, settings: ImportSettings(), today: { Self.today }).importFile(at: url.path)
    }

    @discardableResult
    func scan(_ day: Day) throws -> ScanJob.Result {
        try ScanJob(
            database: database, settings: ChurnSettings(), outbox: outbox,
            now: { Date(timeIntervalSince1970: 1_763_800_000) }, today: { Self.today }
        ).run(asOf: day)
    }

    func table(_ sql: String) throws -> [[DatabaseValue]] { try base.table(sql) }
}

// MARK: - Checks

/// Reasons an outbox folder is not what its readers may rely on; empty when it is.
func outboxProblems(_ folder: String) -> [String] {
    var problems: [String] = []
    var texts: [String: String] = [:]
    for name in ["alerts.jsonl", "alerts.csv", "winback.csv", "digest.md"] {
        guard let data = FileManager.default.contents(atPath: folder + "/" + name) else {
            problems.append("\(name) is missing")
            continue
        }
        guard let text = String(data: data, encoding: .utf8) else {
            problems.append("\(name) is not UTF-8")
            continue
        }
        texts[name] = text
        let csv = name.hasSuffix(".csv")
        if let raw = rawControl(text, crlfOnly: csv) {
            problems.append("\(name) holds a raw control character U+\(String(raw, radix: 16, uppercase: true))")
        }
    }
    var jsonLines = 0
    if let text = texts["alerts.jsonl"] {
        var lines = text.split(separator: "\n", omittingEmptySubsequences: false)
        if lines.last == "" { lines.removeLast() } else { problems.append("alerts.jsonl does not end in a line end") }
        jsonLines = lines.count
        for (index, line) in lines.enumerated() {
            let object = try? JSONSerialization.jsonObject(with: Data(line.utf8)) as? [String: Any]
            if object == nil || object?["schema"] as? Int != 1 || object?.count != 17 {
                problems.append("alerts.jsonl line \(index + 1) is not a schema 1 object: \(line.prefix(200))")
            }
        }
    }
    if let text = texts["digest.md"] {
        var borders: Int?
        for line in text.split(separator: "\n", omittingEmptySubsequences: false) {
            guard line.hasPrefix("|") else {
                borders = nil
                continue
            }
            let count = cellBorders(line)
            if let borders, borders != count {
                problems.append("digest.md: a table row has \(count) cell borders, its header \(borders): \(line.prefix(200))")
            }
            borders = borders ?? count
        }
    }
    for name in ["alerts.csv", "winback.csv"] {
        guard let text = texts[name] else { continue }
        guard let records = csvRecords(text), let header = records.first else {
            problems.append("\(name) is not RFC 4180 CSV")
            continue
        }
        for (index, record) in records.enumerated() where record.count != header.count {
            problems.append("\(name) record \(index + 1) has \(record.count) fields, the header \(header.count)")
        }
        if name == "alerts.csv", records.count - 1 != jsonLines {
            problems.append("alerts.csv has \(records.count - 1) alerts, alerts.jsonl \(jsonLines)")
        }
    }
    return problems
}

/// The `|` of a Markdown table row that are not escaped.
func cellBorders(_ line: Substring) -> Int {
    var count = 0
    var escaped = false
    for scalar in line.unicodeScalars {
        if escaped {
            escaped = false
        } else if scalar == "\\" {
            escaped = true
        } else if scalar == "|" {
            count += 1
        }
    }
    return count
}

/// The first control character (C0, DEL, C1) outside the file's own line ends: CRLF in CSV, LF elsewhere.
func rawControl(_ text: String, crlfOnly: Bool) -> UInt32? {
    var previous: UInt32 = 0
    let scalars = Array(text.unicodeScalars)
    for (index, scalar) in scalars.enumerated() {
        let value = scalar.value
        defer { previous = value }
        let control = value < 0x20 || (0x7F...0x9F).contains(value)
        guard control else { continue }
        if crlfOnly {
            if value == 0x0D, index + 1 < scalars.count, scalars[index + 1] == "\n" { continue }
            if value == 0x0A, previous == 0x0D { continue }
        } else if value == 0x0A {
            continue
        }
        return value
    }
    return nil
}

/// RFC 4180 records separated by CRLF; nil when a quote is not closed or text follows a closing quote.
func csvRecords(_ text: String) -> [[String]]? {
    var records: [[String]] = []
    var record: [String] = []
    var field = ""
    var quoted = false
    var afterQuote = false
    let scalars = Array(text.unicodeScalars)
    var index = 0
    while index < scalars.count {
        let scalar = scalars[index]
        index += 1
        if quoted {
            if scalar == "\"" {
                if index < scalars.count, scalars[index] == "\"" {
                    field.unicodeScalars.append("\"")
                    index += 1
                } else {
                    quoted = false
                    afterQuote = true
                }
            } else {
                field.unicodeScalars.append(scalar)
            }
            continue
        }
        switch scalar {
        case "\"" where field.isEmpty && !afterQuote:
            quoted = true
        case ",":
            record.append(field)
            field = ""
            afterQuote = false
        case "\r" where index < scalars.count && scalars[index] == "\n":
            index += 1
            record.append(field)
            records.append(record)
            record = []
            field = ""
            afterQuote = false
        default:
            if afterQuote { return nil }
            field.unicodeScalars.append(scalar)
        }
    }
    guard !quoted else { return nil }
    if !field.isEmpty || !record.isEmpty {
        record.append(field)
        records.append(record)
    }
    return records
}

/// Differences between the stored aggregates and a direct, exact fold of the stored sales lines.
func aggregateProblems(_ database: AppDatabase) throws -> [String] {
    struct Totals: Equatable {
        var net: Int128 = 0
        var gross: Int128 = 0
        var returns: Int128 = 0
        var margin: Int128 = 0
        var marginLines = 0
        var lines = 0
    }
    struct Key: Hashable {
        var client: Int64
        var day: Int64
    }
    struct CategoryKey: Hashable {
        var key: Key
        var category: String
    }
    return try database.writer.read { db in
        var days: [Key: Totals] = [:]
        var categories: [CategoryKey: Int128] = [:]
        for row in try Row.fetchAll(db, sql: "SELECT client, day, amount, margin, category FROM sales") {
            let key = Key(client: row["client"], day: row["day"])
            let amount = Int128(row["amount"] as Int64)
            var totals = days[key, default: Totals()]
            totals.net += amount
            if amount > 0 { totals.gross += amount } else { totals.returns -= amount }
            if let margin = row["margin"] as Int64? {
                totals.margin += Int128(margin)
                totals.marginLines += 1
            }
            totals.lines += 1
            days[key] = totals
            if amount > 0, let category = row["category"] as String? {
                categories[CategoryKey(key: key, category: category), default: 0] += amount
            }
        }
        var stored: [Key: Totals] = [:]
        for row in try Row.fetchAll(db, sql: "SELECT * FROM client_days") {
            stored[Key(client: row["client"], day: row["day"])] = Totals(
                net: Int128(row["net"] as Int64), gross: Int128(row["gross"] as Int64),
                returns: Int128(row["returns"] as Int64), margin: Int128(row["margin"] as Int64),
                marginLines: row["margin_lines"], lines: row["lines"])
        }
        var storedCategories: [CategoryKey: Int128] = [:]
        for row in try Row.fetchAll(db, sql: "SELECT * FROM client_day_categories") {
            storedCategories[CategoryKey(key: Key(client: row["client"], day: row["day"]), category: row["category"])] =
                Int128(row["amount"] as Int64)
        }
        var problems: [String] = []
        for (key, totals) in days where stored[key] != totals {
            problems.append("client \(key.client) day \(key.day): lines fold to \(totals), stored \(String(describing: stored[key]))")
        }
        for key in stored.keys where days[key] == nil { problems.append("client \(key.client) day \(key.day) has no lines") }
        if categories != storedCategories { problems.append("client_day_categories differ from the lines' fold") }
        var book: [Int64: (clients: Int, lines: Int)] = [:]
        for (key, totals) in days { book[key.day, default: (0, 0)].clients += 1; book[key.day]!.lines += totals.lines }
        let storedBook = try Row.fetchAll(db, sql: "SELECT day, clients, lines FROM book_days")
        if storedBook.count != book.count
            || storedBook.contains(where: { book[$0["day"]]?.clients != $0["clients"] || book[$0["day"]]?.lines != $0["lines"] })
        {
            problems.append("book_days differ from the lines' fold")
        }
        return problems
    }
}

/// What a book says every line should be stored as: document and line → day, client, amount, margin.
func storedLinesProblems(_ database: AppDatabase, _ book: Book) throws -> [String] {
    var expected: [String: String] = [:]
    for line in book.lines {
        expected["\(trimmed(line.document))#\(line.line)"] =
            "\(line.day.number) \(trimmed(line.client)) \(line.amount) \(line.margin.map(String.init) ?? "-")"
    }
    let stored = try database.writer.read { db in
        try Row.fetchAll(
            db,
            sql: "SELECT s.document, s.line, s.day, c.client_id, s.amount, s.margin FROM sales s JOIN clients c ON c.id = s.client")
    }
    var actual: [String: String] = [:]
    for row in stored {
        let margin: Int64? = row["margin"]
        actual["\(row["document"] as String)#\(row["line"] as Int)"] =
            "\(row["day"] as Int64) \(row["client_id"] as String) \(row["amount"] as Int64) \(margin.map(String.init) ?? "-")"
    }
    guard actual != expected else { return [] }
    let wrong = expected.filter { actual[$0.key] != $0.value }.prefix(3).map { "\($0.key): \($0.value) stored as \(actual[$0.key] ?? "nothing")" }
    return ["stored lines differ from the export (\(actual.count) stored, \(expected.count) expected): \(wrong)"]
}

/// A book whose (document, line) pairs are unique: a repeat within one file is refused by design.
func unique(_ book: Book) -> Book {
    var seen = Set<String>()
    var copy = book
    copy.lines = book.lines.filter { seen.insert("\(trimmed($0.document))#\($0.line)").inserted }
    return copy
}

let liveBook = [
    "SELECT client, as_of, status, status_since, reason, abc, xyz, share, revenue, last_purchase, findings FROM client_states ORDER BY client",
    "SELECT id, client, kind, category, severity, status, title, explanation, value, first_seen, last_seen, resolution FROM alerts ORDER BY id",
    "SELECT client, rank, status, reason, value, missed_cycles, offer FROM winback_list ORDER BY client",
    "SELECT client, day, from_status, to_status, reason FROM status_changes ORDER BY id",
]

@Suite("Import → scan → outbox, properties")
struct PipelinePropertyTests {
    @Test("any valid book imports exactly, scans without trapping, and writes well-formed outbox files")
    func wellFormedOutbox() {
        let cases = zip(BookGen.book(clients: 1...6, lines: 1...40), Gen.int(in: 0...Int(Int32.max)))
        forEachCase(20, seed: 1, of: cases) { pair, label in
            let (generated, salt) = pair
            let book = unique(generated)
            let fixture = try PipelineFixture()
            let report = try fixture.load("book.csv", book.csv())
            #expect(report.inserted == book.lines.count, "\(label)")
            #expect(try storedLinesProblems(fixture.database, book) == [], "\(label)")
            // Every other case, master data and contacts too: dossier and contact alerts carry their texts.
            if salt % 2 == 0 {
                var random = Xoshiro(seed: (UInt64(salt), 1, 1, 1))
                let (clients, contacts) = BookGen.masterData(for: book).run(using: &random)
                try fixture.load("clients.csv", clients)
                try fixture.load("contacts.csv", contacts)
            }
            for day in scanDays(book, today: PipelineFixture.today) {
                let result = try fixture.scan(day)
                #expect(outboxProblems(result.folder) == [], "\(label), as of \(day.iso)")
            }
            #expect(try aggregateProblems(fixture.database) == [], "\(label)")
            for row in try fixture.table("SELECT model, parameters FROM model_fits") {
                let parameters = String.fromDatabaseValue(row[1]) ?? ""
                #expect(
                    (try? JSONSerialization.jsonObject(with: Data(parameters.utf8))) != nil,
                    "\(label): \(row[0]) parameters are not JSON: \(parameters)")
            }
        }
    }

    @Test("importing the same lines again, as the same file or written another way, changes nothing")
    func reimportChangesNothing() {
        forEachCase(25, seed: 2, of: zip(BookGen.book(clients: 1...5, lines: 1...30), BookGen.style)) { pair, label in
            let (generated, otherStyle) = pair
            let book = unique(generated)
            let fixture = try PipelineFixture()
            try fixture.load("book.csv", book.csv())
            let sales = "SELECT * FROM sales ORDER BY id"
            let clients = "SELECT * FROM clients ORDER BY id"
            let before = (try fixture.table(sales), try fixture.table(clients))
            let again = try fixture.load("book.csv", book.csv())
            #expect(again.previousImport != nil, "\(label)")
            let rewritten = try fixture.load("rewritten.csv", book.csv(style: otherStyle))
            #expect(rewritten.inserted == 0 && rewritten.corrected == 0, "\(label)")
            // The same bytes when the other style is the same: then the file is known by its hash.
            #expect(rewritten.duplicates == book.lines.count || rewritten.previousImport != nil, "\(label)")
            #expect(try fixture.table(sales) == before.0, "\(label)")
            #expect(try fixture.table(clients) == before.1, "\(label)")
            // In another order the lines are still all stored once. (A client's name, manager and region follow its
            // newest sale; between lines of the same day, the last one read wins, so the order may change them.)
            var reordered = book
            reordered.lines.reverse()
            let reversed = try fixture.load("reversed.csv", reordered.csv(style: otherStyle))
            #expect(reversed.inserted == 0 && reversed.corrected == 0, "\(label)")
            #expect(try fixture.table(sales) == before.0, "\(label)")
        }
    }

    @Test("replays of earlier days, in any order, leave the live book as the latest day left it")
    func replaysLeaveTheLiveBook() {
        let cases = zip(BookGen.book(clients: 2...6, lines: 5...40, edges: 0.05), Gen.int(in: 1...5))
        forEachCase(20, seed: 3, of: cases) { pair, label in
            let (generated, replays) = pair
            let book = unique(generated)
            let fixture = try PipelineFixture()
            try fixture.load("book.csv", book.csv())
            let live = book.lastDay
            try fixture.scan(live)
            let before = try liveBook.map(fixture.table)
            var random = Xoshiro(seed: (UInt64(replays), UInt64(book.lines.count), 3, 3))
            for _ in 0..<replays {
                let day = Day(number: Int32.random(in: (book.firstDay.number - 30)...live.number - 1, using: &random))
                let result = try fixture.scan(day)
                #expect(result.summary.replay, "\(label), replay of \(day.iso)")
                #expect(outboxProblems(result.folder) == [], "\(label), replay of \(day.iso)")
                #expect(try liveBook.map(fixture.table) == before, "\(label), after a replay of \(day.iso)")
            }
        }
    }

    @Test("an ERP's corrections leave the same aggregates as the corrected book imported at once")
    func correctionsFoldExactly() {
        let cases = zip(BookGen.book(clients: 1...4, lines: 10...60, edges: 0.02), Gen.int(in: 1...1_000_000))
        forEachCase(20, seed: 4, of: cases) { pair, label in
            let (generated, salt) = pair
            var book = unique(generated)
            var random = Xoshiro(seed: (UInt64(salt), 4, 4, 4))
            // Every other case, one client-day whose lines add up past 2^53 ten-thousandths, and a tiny line.
            if salt % 2 == 0, let first = book.lines.first {
                for line in 1...12 {
                    book.lines.append(
                        BookLine(day: first.day, client: first.client, document: "CROWD", line: line, amount: Money.lineLimit.scaled))
                }
                book.lines.append(BookLine(day: first.day, client: first.client, document: "CROWD", line: 13, amount: 1))
            }
            // A correction per line with chance one half: another amount, margin, day, client or category.
            var corrections = Book(lines: [], style: book.style)
            var corrected = book
            for index in book.lines.indices where Bool.random(using: &random) {
                var line = book.lines[index]
                switch Int.random(in: 0..<5, using: &random) {
                case 0: line.amount = BookGen.amount.run(using: &random)
                case 1: line.margin = line.margin == nil ? Money.lineLimit.scaled : nil
                case 2: line.day = book.lines.randomElement(using: &random)!.day
                case 3: line.client = book.lines.randomElement(using: &random)!.client
                default: line.category = line.category == nil ? "Tools" : nil
                }
                corrections.lines.append(line)
                corrected.lines[index] = line
            }
            let stepwise = try PipelineFixture()
            try stepwise.load("book.csv", book.csv())
            try stepwise.scan(book.lastDay)
            try stepwise.load("fix.csv", corrections.csv())
            try stepwise.scan(book.lastDay)
            let atOnce = try PipelineFixture()
            try atOnce.load("book.csv", corrected.csv())
            try atOnce.scan(book.lastDay)
            #expect(try storedLinesProblems(stepwise.database, corrected) == [], "\(label)")
            #expect(try aggregateProblems(stepwise.database) == [], "\(label)")
            for sql in [
                "SELECT c.client_id, d.day, d.net, d.gross, d.returns, d.margin, d.margin_lines, d.lines FROM client_days d JOIN clients c ON c.id = d.client ORDER BY 1, 2",
                "SELECT c.client_id, d.day, d.category, d.amount FROM client_day_categories d JOIN clients c ON c.id = d.client ORDER BY 1, 2, 3",
                "SELECT * FROM book_days ORDER BY day",
            ] {
                #expect(try stepwise.table(sql) == atOnce.table(sql), "\(label): \(sql)")
            }
        }
    }

    @Test("thousands of lines of one client on one day, at the line limit and of a ten-thousandth, fold exactly")
    func crowdedClientDay() {
        let cases = zip(Gen.int(in: 1_000...4_000), BookGen.book(clients: 1...3, lines: 1...10))
        forEachCase(3, seed: 5, of: cases) { pair, label in
            let (count, generated) = pair
            var book = unique(generated)
            let day = Day(iso: "2024-02-29")!
            var random = Xoshiro(seed: (UInt64(count), 5, 5, 5))
            for line in 1...count {
                book.lines.append(
                    BookLine(
                        day: day, client: "BIG", name: "Big \u{1B}[31m Ltd", document: "BIG-2024-02-29", line: line,
                        category: ["Tools", "Paint", nil].randomElement(using: &random)!, manager: nil,
                        amount: [Money.lineLimit.scaled, 1, -1, 0, -Money.lineLimit.scaled / 2].randomElement(using: &random)!,
                        margin: Bool.random(using: &random) ? Money.lineLimit.scaled : nil))
            }
            let fixture = try PipelineFixture()
            let report = try fixture.load("big.csv", book.csv())
            #expect(report.inserted == book.lines.count, "\(label)")
            for scan in [day, Day(iso: "2099-12-31")!] {
                #expect(outboxProblems(try fixture.scan(scan).folder) == [], "\(label), as of \(scan.iso)")
            }
            #expect(try aggregateProblems(fixture.database) == [], "\(label)")
        }
    }
}



@Suite("Import → scan → outbox, defects the properties found")
struct PipelineRegressionTests {
    /// The outbox folder of a scan that finds a client lost whose name, category and manager are `text`, beside a
    /// steady client that keeps the feed alive: the text is in every file. The folder lives while `body` runs.
    func withOutboxOfLostClient(named text: String, _ body: (String) throws -> Void) throws {
        var book = Book(lines: [])
        var day = Day(iso: "2024-01-01")!
        for index in 0..<20 {
            book.lines.append(
                BookLine(
                    day: day, client: "L1", name: text, document: "L\(index)", line: 1, category: text, manager: text,
                    amount: 10_000_000))
            day = day.adding(days: 7)
        }
        day = Day(iso: "2024-01-01")!
        for index in 0..<183 {
            book.lines.append(
                BookLine(day: day, client: "S1", document: "S\(index)", line: 1, category: "Tools", amount: 1_000_000))
            day = day.adding(days: 2)
        }
        let fixture = try PipelineFixture()
        try fixture.load("book.csv", book.csv())
        let result = try fixture.scan(Day(iso: "2024-12-31")!)
        #expect(result.summary.statuses[.lost] == 1)
        try withExtendedLifetime(fixture) { try body(result.folder) }
    }

    @Test("a quote or a comma followed by a combining mark is still quoted in alerts.csv and winback.csv")
    func combiningMarkAfterQuote() throws {
        let name = "Acme \"\u{301}Tools\u{301}, Ltd"
        try withOutboxOfLostClient(named: name) { folder in
            #expect(outboxProblems(folder) == [])
            let winback = try #require(csvRecords(try String(contentsOfFile: folder + "/winback.csv", encoding: .utf8)))
            #expect(winback.count == 2)
            #expect(winback.last?.contains(name) == true, "\(winback)")
        }
    }

    @Test("C1 control characters (U+009B is a terminal's CSI) are escaped in alerts.jsonl")
    func c1ControlsInJSON() throws {
        let name = "Evil \u{9B}31m\u{85}Ltd"
        try withOutboxOfLostClient(named: name) { folder in
            #expect(outboxProblems(folder) == [])
            let text = try String(contentsOfFile: folder + "/alerts.jsonl", encoding: .utf8)
            #expect(!text.unicodeScalars.contains { (0x80...0x9F).contains($0.value) })
            let first = try #require(text.split(separator: "\n").first)
            let object = try JSONSerialization.jsonObject(with: Data(first.utf8)) as? [String: Any]
            #expect(object?["client_name"] as? String == name, "the escape reads back as the name")
        }
    }

    @Test("a | followed by a combining mark does not break the digest's tables")
    func combiningMarkAfterPipe() throws {
        try withOutboxOfLostClient(named: "A |\u{301} B") { folder in
            #expect(outboxProblems(folder) == [])
            let digest = try String(contentsOfFile: folder + "/digest.md", encoding: .utf8)
            #expect(digest.contains("A \\|\u{301} B"))
        }
    }
}

extension PipelineRegressionTests {
    @Test("a correction on a day whose lines add up past 2^53 ten-thousandths is folded again exactly")
    func correctionRefoldsExactly() throws {
        let day = Day(iso: "2024-02-29")!
        var book = Book(lines: [])
        for line in 1...10 {
            book.lines.append(BookLine(day: day, client: "BIG", document: "B", line: line, amount: Money.lineLimit.scaled))
        }
        book.lines.append(BookLine(day: day, client: "BIG", document: "B", line: 11, amount: 1))
        let fixture = try PipelineFixture()
        try fixture.load("book.csv", book.csv())
        try fixture.scan(day)
        var fix = Book(lines: [book.lines[10]])
        fix.lines[0].amount = 3
        #expect(try fixture.load("fix.csv", fix.csv()).corrected == 1)
        try fixture.scan(day)
        let net = 10 * Money.lineLimit.scaled + 3
        #expect(try fixture.table("SELECT net, gross FROM client_days") == [[net.databaseValue, net.databaseValue]])
        #expect(try aggregateProblems(fixture.database) == [])
    }

    @Test("a client's name follows its newest sale even when an earlier line already carried that name")
    func nameFollowsNewestSale() throws {
        let lines = [("2024-01-01", "Acme"), ("2024-03-01", "Acme"), ("2024-02-01", "Acme Old Name")].enumerated().map {
            BookLine(day: Day(iso: $1.0)!, client: "A1", name: $1.1, document: "D\($0)", line: 1, amount: 10_000)
        }
        let fixture = try PipelineFixture()
        try fixture.load("book.csv", Book(lines: lines).csv())
        #expect(try fixture.table("SELECT name, attributes_day FROM clients") == [
            ["Acme".databaseValue, Int64(Day(iso: "2024-03-01")!.number).databaseValue]
        ])
    }
}
