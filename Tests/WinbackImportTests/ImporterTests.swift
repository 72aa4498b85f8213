import Foundation
import GRDB
import Testing
import WinbackCore
import WinbackImport
@testable import WinbackStore

/// The same two lines, written the ways real exports write them.
let expectedLines = [
    SaleLine(
        day: Day(iso: "2024-03-05")!, clientID: "C1", document: "INV-1", line: 1, sku: "SKU-1", category: "Tools",
        quantity: 2, amount: Money(scaled: 12_345_600), margin: Money(scaled: 2_000_000), manager: "Anna",
        region: "North"),
    SaleLine(
        day: Day(iso: "2024-03-06")!, clientID: "C2", document: "CN-7", line: 1, sku: "SKU-2", category: "Tools",
        quantity: -1, amount: Money(scaled: -505_000), margin: nil, manager: "Boris", region: "South"),
]

@Suite("Import")
struct ImporterTests {
    @Test(
        "every export variant imports the same lines",
        arguments: [
            // comma, LF, ISO dates
            "date,client_id,client_name,document,line,sku,category,quantity,amount,margin,manager,region\n"
                + "2024-03-05,C1,\"Smith, Ltd\",INV-1,1,SKU-1,Tools,2,1234.56,200,Anna,North\n"
                + "2024-03-06,C2,Jones,CN-7,1,SKU-2,Tools,-1,-50.5,,Boris,South\n",
            // BOM, semicolon, CRLF, dotted dates, decimal comma, no-break-space thousands
            "\u{FEFF}date;client_id;client_name;document;line;sku;category;quantity;amount;margin;manager;region\r\n"
                + "05.03.2024;C1;Smith, Ltd;INV-1;1;SKU-1;Tools;2;1\u{00A0}234,56;200,00;Anna;North\r\n"
                + "06.03.2024;C2;Jones;CN-7;1;SKU-2;Tools;-1;-50,50;;Boris;South\r\n",
            // tab, compact dates, thousands by space, SAP trailing minus, columns in another order
            "region\tmanager\tmargin\tamount\tquantity\tcategory\tsku\tline\tdocument\tclient_name\tclient_id\tdate\n"
                + "North\tAnna\t200\t1 234,56\t2\tTools\tSKU-1\t1\tINV-1\tSmith, Ltd\tC1\t20240305\n"
                + "South\tBoris\t\t50,50-\t1-\tTools\tSKU-2\t1\tCN-7\tJones\tC2\t20240306\n",
            // quoted fields with delimiters, quotes and line breaks; headers in other case and spacing
            "Date;Client ID;Client Name;Document;Line;SKU;Category;Quantity;Amount;Margin;Manager;Region\n"
                + "2024-03-05;\"C1\";\"Smith, Ltd\";\"INV-1\";1;SKU-1;Tools;2;\"1.234,56\";200;Anna;North\n"
                + "2024-03-06;C2;\"Jones\";CN-7;1;SKU-2;\"Tools\";-1;\"-50,50\";;\"Boris\";South\n",
        ])
    func variants(_ text: String) throws {
        let fixture = try ImportFixture()
        let report = try fixture.importer.importFile(at: fixture.file("sales.csv", text))
        #expect(report.kind == .sales)
        #expect(report.rows == 2)
        #expect(report.inserted == 2)
        #expect(try fixture.database.saleLines() == expectedLines)
    }

    @Test("a quoted field may hold a line break, and line numbers stay physical")
    func multilineField() throws {
        let fixture = try ImportFixture()
        let path = try fixture.file(
            "sales.csv",
            "date,client_id,client_name,document,amount\n2024-01-02,C1,\"Two\nLines\",D1,5\n2024-01-02,C2,X,D2,oops\n")
        #expect(try fixture.refusal(path) == ["4: amount: not a number: \"oops\""])
    }

    @Test("the same file imported again stores nothing and says so")
    func sameFileTwice() throws {
        let fixture = try ImportFixture()
        let path = try fixture.file("sales.csv", "date,client_id,document,amount\n2024-01-02,C1,D1,5\n")
        let first = try fixture.importer.importFile(at: path)
        let second = try fixture.importer.importFile(at: path)
        #expect(first.inserted == 1)
        #expect(second.previousImport?.id == first.importID)
        #expect(second.inserted == 0)
        #expect(try fixture.database.salesLineCount() == 1)
    }

    @Test("a re-export of overlapping days stores only the new lines")
    func overlappingReexport() throws {
        let fixture = try ImportFixture()
        let header = "date,client_id,document,line,amount\n"
        let monday = "2024-01-01,C1,D1,1,5\n2024-01-01,C1,D1,2,6\n"
        let tuesday = "2024-01-02,C2,D2,1,7\n"
        _ = try fixture.importer.importFile(at: fixture.file("mon.csv", header + monday))
        let report = try fixture.importer.importFile(at: fixture.file("mon-tue.csv", header + monday + tuesday))
        #expect(report.rows == 3)
        #expect(report.inserted == 1)
        #expect(report.duplicates == 2)
        #expect(report.corrected == 0)
        #expect(try fixture.database.salesLineCount() == 3)
    }

    @Test("without a line column, lines are numbered within their document, so re-exports still match")
    func positionalLines() throws {
        let fixture = try ImportFixture()
        let header = "date,client_id,document,amount\n"
        _ = try fixture.importer.importFile(
            at: fixture.file("a.csv", header + "2024-01-01,C1,D1,5\n2024-01-01,C1,D1,6\n"))
        let report = try fixture.importer.importFile(
            at: fixture.file("b.csv", header + "2024-01-02,C2,D2,7\n2024-01-01,C1,D1,5\n2024-01-01,C1,D1,6\n"))
        #expect(report.inserted == 1)
        #expect(report.duplicates == 2)
        #expect(try fixture.database.saleLines().map(\.line) == [1, 2, 1])
    }

    @Test("a re-exported line with other values is the ERP's correction: it replaces the stored one, counted")
    func correctedLine() throws {
        let fixture = try ImportFixture()
        let header = "date,client_id,document,line,amount,category\n"
        _ = try fixture.importer.importFile(at: fixture.file("a.csv", header + "2024-01-01,C1,D1,1,5,Tools\n"))
        let report = try fixture.importer.importFile(at: fixture.file("b.csv", header + "2024-01-01,C1,D1,1,9,Tools\n"))
        #expect(report.duplicates == 1)
        #expect(report.corrected == 1)
        #expect(try fixture.database.saleLines().map(\.amount) == [Money(units: 9)])
        #expect(try fixture.database.imports().first?.corrected == 1, "the ledger counts the corrections")
        // Another category alone is a correction too; the same values again are not.
        let recategorised = try fixture.importer.importFile(
            at: fixture.file("c.csv", header + "2024-01-01,C1,D1,1,9,Safety\n"))
        #expect(recategorised.corrected == 1)
        #expect(try fixture.database.saleLines().first?.category == "Safety")
        let same = try fixture.importer.importFile(at: fixture.file("d.csv", header + "2024-01-01,C1,D1,1,9,Safety\n"))
        #expect(same.corrected == 0)
    }

    @Test("changed_lines = keep keeps the first import of a line and counts the other values it dropped")
    func keptLine() throws {
        var fixture = try ImportFixture()
        fixture.settings.changedLines = .keep
        let header = "date,client_id,document,line,amount\n"
        _ = try fixture.importer.importFile(at: fixture.file("a.csv", header + "2024-01-01,C1,D1,1,5\n"))
        let report = try fixture.importer.importFile(at: fixture.file("b.csv", header + "2024-01-01,C1,D1,1,9\n"))
        #expect(report.duplicates == 1)
        #expect(report.corrected == 0)
        #expect(report.changedKept == 1)
        #expect(try fixture.database.saleLines().first?.amount == Money(units: 5))
    }

    @Test("a bad line refuses the whole file, names every bad line, and changes nothing stored")
    func allOrNothing() throws {
        let fixture = try ImportFixture()
        let header = "date,client_id,document,line,amount,client_name\n"
        _ = try fixture.importer.importFile(at: fixture.file("good.csv", header + "2024-01-01,C1,D1,1,5,Alpha\n"))
        let before = try fixture.database.saleLines()
        let bad = try fixture.file(
            "bad.csv",
            header
                + "2024-01-02,C1,D2,1,10,Alpha renamed\n"
                + "2024-02-30,C2,D3,1,1,x\n"
                + "2024-01-03,,D4,1,abc,x\n"
                + "2024-01-03,C3,D5,1\n"
                + "2024-01-04,C4,D6,1,1,x,extra\n"
                + "2024-01-05,C5,D7,1,2,ok\n")
        #expect(
            try fixture.refusal(bad) == [
                "3: date: not a date: \"2024-02-30\" (expected YYYY-MM-DD, D.M.YYYY, YYYYMMDD)",
                "4: client_id: empty",
                "4: amount: not a number: \"abc\"",
                "5: row: expected 6 fields as in the header, found 4",
                "6: row: expected 6 fields as in the header, found 7",
            ])
        #expect(try fixture.database.saleLines() == before)
        #expect(try fixture.database.clientProfile("C1")?.name == "Alpha")
        #expect(try fixture.database.clientProfile("C5") == nil)
        let ledger = try fixture.database.imports()
        #expect(ledger.map(\.outcome) == [.rejected, .imported])
        #expect(ledger.first?.error?.contains("bad.csv:3: date") == true)
    }

    @Test("a NUL byte is named by line and column")
    func nulByte() throws {
        let fixture = try ImportFixture()
        let bytes = Array(
            "date,client_id,document,amount,client_name\n2024-01-01,C1,D1,5,x\n2024-01-01,C\u{0}2,D2,5,x\n".utf8)
        #expect(try fixture.refusal(fixture.file("bytes.csv", bytes: bytes)) == ["3: client_id: contains a NUL byte"])
    }

    @Test("a file that is not UTF-8 is refused in one line that names the setting which reads it")
    func notUTF8() throws {
        let fixture = try ImportFixture()
        var bytes = Array(
            "date,client_id,document,amount,client_name\n2024-01-01,C1,D1,5,x\n2024-01-01,C\u{0}2,D2,5,x\n".utf8)
        for row in 4...200 {
            bytes += Array("2024-01-02,C\(row),D\(row),5,Nov".utf8) + [0xE1] + Array("k\n".utf8)  // Windows-1252 á
        }
        let refusal = try fixture.refusal(fixture.file("cp1252.csv", bytes: bytes))
        #expect(refusal.count == 1, "one line, not one per bad line: \(refusal)")
        #expect(refusal.first?.hasPrefix("4: client_name: not UTF-8 text (\"Nov\\xE1k\"): ") == true)
        #expect(refusal.first?.contains("encoding = \"windows-1252\" under [import]") == true)
    }

    @Test("[import] encoding reads a Windows-1252 export, with line numbers and every character right")
    func windows1252() throws {
        var fixture = try ImportFixture()
        fixture.settings.encoding = .windows1252
        var bytes = Array("date;client_id;document;amount;client_name;manager\r\n".utf8)
        bytes +=
            Array("01.10.2025;C1;R1;1.234,50;Eva Nov".utf8) + [0xE1] + Array("k GmbH;J".utf8) + [0xFC]
            + Array("rgen\r\n".utf8)
        bytes +=
            Array("02.10.2025;C2;R2;99,00;M".utf8) + [0xFC] + Array("ller ".utf8) + [0x80] + Array(" Co;".utf8)
            + [0x8A] + Array("tefan\r\n".utf8)
        let bad = bytes + Array("02.10.2025;C3;R3;x;Bad;y\r\n".utf8)
        #expect(try fixture.refusal(fixture.file("bad.csv", bytes: bad)).first?.hasPrefix("4: amount: ") == true)
        let path = try fixture.file("sales.csv", bytes: bytes)
        let report = try fixture.importer.importFile(at: path)
        #expect(report.inserted == 2)
        let clients = try fixture.database.clientSummaries()
        #expect(clients.map(\.name) == ["Eva Novák GmbH", "Müller € Co"])
        #expect(clients.map(\.manager) == ["Jürgen", "Štefan"])
    }

    @Test("the list of bad lines is capped, with a count of the rest")
    func cappedErrors() throws {
        var fixture = try ImportFixture()
        fixture.settings.maxListedErrors = 3
        let rows = (1...10).map { "2024-01-01,C\($0),D\($0),bad\n" }.joined()
        let problems = try fixture.refusal(fixture.file("many.csv", "date,client_id,document,amount\n" + rows))
        #expect(problems.count == 4)
        #expect(problems.last == "+7")
    }

    @Test("the same document line twice in one file is refused")
    func duplicateWithinFile() throws {
        let fixture = try ImportFixture()
        let path = try fixture.file(
            "dup.csv", "date,client_id,document,line,amount\n2024-01-01,C1,D1,1,5\n2024-01-01,C1,D1,1,5\n")
        #expect(try fixture.refusal(path) == ["3: line: document \"D1\" line 1 already appears on line 2"])
        #expect(try fixture.database.salesLineCount() == 0)
    }

    @Test(
        "broken files are refused with the line and the reason",
        arguments: [
            ("", "1: header: the file is empty"),
            ("\n\n", "1: header: the file is empty"),
            ("date,client_id,document,amount\n2024-01-01,C1,\"D1,5\n", "2: row: a quoted field is never closed"),
            (
                "date,client_id,document,amount\n2024-01-01,C1,\"D1\"x,5\n",
                "2: row: text after the closing quote of field 3"
            ),
            (
                "date,customer,document,amount\n",
                "1: header: looks like a sales file (it has a date and an amount column) but has no client_id column; if the export names it otherwise, map it in the config: [import.columns.sales] client_id = \"YOUR HEADER\"; found: \"date\", \"customer\", \"document\", \"amount\""
            ),
            ("date,client_id,document,amount,Amount\n", "1: header: column amount appears twice (fields 4 and 5)"),
        ])
    func broken(_ text: String, _ problem: String) throws {
        let fixture = try ImportFixture()
        #expect(try fixture.refusal(fixture.file("broken.csv", text)) == [problem])
    }

    @Test("a sales export without a document column is refused, never taken for master data")
    func salesWithoutDocument() throws {
        let fixture = try ImportFixture()
        _ = try fixture.importer.importFile(
            at: fixture.file("clients.csv", "client_id,client_name,manager\nC1,Nordbau GmbH,Eva\n"))
        let problems = try fixture.refusal(
            fixture.file(
                "sales.csv", "date,client_id,client_name,invoice,amount,manager\n2024-01-02,C1,Other,I-1,5,Bob\n"))
        #expect(problems.count == 1)
        #expect(
            problems[0].hasPrefix(
                "1: header: looks like a sales file (it has a date and an amount column) but has no document column"))
        #expect(problems[0].contains("[import.columns.sales] document = \"YOUR HEADER\""))
        let client = try #require(try fixture.database.clientSummary("C1"))
        #expect(client.summary.name == "Nordbau GmbH", "the master data was not overwritten")
        #expect(client.summary.manager == "Eva")
    }

    @Test(
        "kinds are recognised strictly: unmapped sales columns, mixed and unknown headers are refused with the reason",
        arguments: [
            // Sales columns under names the config does not map: not a clients file.
            (
                "Datum,client_id,client_name,Beleg,Betrag,manager\n",
                "not clearly a sales, contacts or clients file: it has client_id but also Datum, Beleg, Betrag, which a clients file does not have"
            ),
            (
                "date,client_id,manager,outcome,document,amount\n",
                "not clearly a sales, contacts or clients file: it has the columns of a sales export (date, amount) and of a contacts file (outcome)"
            ),
            (
                "date,client_id,outcome\n",
                "looks like a contacts file (it has an outcome column) but has no manager column"
            ),
            ("client_id\n", "not clearly a sales, contacts or clients file: it has only a client_id column"),
        ])
    func strictKinds(_ header: String, _ start: String) throws {
        let fixture = try ImportFixture()
        let problems = try fixture.refusal(fixture.file("x.csv", header + "a,b,c,d,e,f\n"))
        #expect(problems.count == 1)
        #expect(problems.first?.hasPrefix("1: header: " + start) == true, "\(problems)")
    }

    @Test("--kind forces a kind: its required columns must be there, unknown columns are ignored")
    func forcedKind() throws {
        let fixture = try ImportFixture()
        let path = try fixture.file("clients.csv", "client_id,client_name,created\nC1,Nordbau GmbH,2020-01-01\n")
        #expect(try fixture.refusal(path).first?.contains("a clients file does not have") == true)
        let report = try fixture.importer.importFile(at: path, kind: .clients)
        #expect(report.kind == .clients)
        #expect(report.inserted == 1)
        let sales = try fixture.file("s.csv", "date,client_id,amount\n2024-01-01,C1,5\n")
        do {
            _ = try fixture.importer.importFile(at: sales, kind: .sales)
            Issue.record("a sales file without a document column was imported")
        } catch let failure as ImportFailure {
            #expect(failure.description.contains("read as a sales file (--kind), but no document column"))
        }
    }

    @Test("a refused header is quoted escaped and cut short: it cannot forge a line or swell the ledger")
    func hostileHeader() throws {
        let fixture = try ImportFixture()
        let big = String(repeating: "x", count: 2_000_000)
        let header = "\u{1b}[2J\rwinback: all good,\(big),\(big),\(big)\n"
        let problems = try fixture.refusal(fixture.file("evil.csv", header))
        #expect(problems.count == 1)
        #expect(problems[0].utf8.count < 1_000, "\(problems[0].utf8.count) bytes")
        #expect(!problems[0].contains("\u{1b}") && !problems[0].contains("\r"))
        #expect(try fixture.database.imports().first?.error?.utf8.count ?? 0 < 1_000)
    }

    @Test(
        "amounts no line can carry are refused with their line: the largest Int64, a product code, 900 trillion",
        arguments: [
            "date;client_id;document;amount\n02.01.2024;BIG1;AG2;922 337 203 685 477,5807\n",
            "date;client_id;document;amount\n02.01.2024;BIG1;AG2;4006381333931\n",
            "date,client_id,document,amount\n2024-01-02,BIG1,AG2,900000000000000\n",
            "date,client_id,document,amount,margin\n2024-01-02,BIG1,AG2,5,-900000000000000\n",
        ])
    func amountLimit(_ text: String) throws {
        let fixture = try ImportFixture()
        let problems = try fixture.refusal(fixture.file("big.csv", text))
        #expect(problems.count == 1)
        #expect(problems.first?.hasPrefix("2: ") == true)
        #expect(problems.first?.contains("beyond the largest amount a line may carry") == true, "\(problems)")
        #expect(try fixture.database.salesLineCount() == 0)
    }

    @Test("messages keep what was written: the signs of -5-, a line number too large rather than not a number")
    func faithfulMessages() throws {
        let fixture = try ImportFixture()
        let problems = try fixture.refusal(
            fixture.file(
                "x.csv",
                "date,client_id,document,line,amount\n2024-01-02,C1,D1,1,-5-\n2024-01-02,C1,D1,1234567890123456789,5\n")
        )
        #expect(
            problems == [
                "2: amount: not a number: \"-5-\"",
                "3: line: too large: \"1234567890123456789\" (at most 18 digits)",
            ])
    }

    @Test("the largest amount a line may carry is accepted")
    func amountAtTheLimit() throws {
        let fixture = try ImportFixture()
        let report = try fixture.importer.importFile(
            at: fixture.file(
                "ok.csv",
                "date,client_id,document,amount\n2024-01-02,C1,D1,100000000000\n2024-01-02,C1,D2,-100000000000\n"))
        #expect(report.inserted == 2)
    }

    @Test("a UTF-16 file is refused at line 1")
    func utf16() throws {
        let fixture = try ImportFixture()
        let bytes: [UInt8] = [0xFF, 0xFE] + Array("date,client_id,document,amount\n".utf8).flatMap { [$0, 0] }
        #expect(
            try fixture.refusal(fixture.file("utf16.csv", bytes: bytes)) == [
                "1: row: the file is UTF-16; export it as UTF-8"
            ])
    }

    @Test("a header alone is a valid export of a day without sales")
    func headerAlone() throws {
        let fixture = try ImportFixture()
        let report = try fixture.importer.importFile(
            at: fixture.file("empty-day.csv", "date,client_id,document,amount\r\n"))
        #expect(report.kind == .sales)
        #expect(report.rows == 0)
        #expect(report.importID != nil)
    }

    @Test("a missing file or a directory is unreadable, not refused")
    func unreadable() throws {
        let fixture = try ImportFixture()
        #expect(throws: ImportFailure.self) { try fixture.importer.importFile(at: fixture.folder.path + "/nope.csv") }
        #expect(throws: ImportFailure.unreadable(path: fixture.folder.path, reason: "not a regular file")) {
            try fixture.importer.importFile(at: fixture.folder.path)
        }
    }

    @Test("renamed columns from the config are recognised")
    func renamedColumns() throws {
        var fixture = try ImportFixture()
        fixture.settings.columns[.sales] = [
            "date": "Belegdatum", "client_id": "Kundennr", "document": "Beleg", "amount": "Umsatz",
        ]
        let report = try fixture.importer.importFile(
            at: fixture.file("erp.csv", "Belegdatum;Kundennr;Beleg;Umsatz\n01.02.2024;K-9;R-1;1.000,00\n"))
        #expect(report.inserted == 1)
        #expect(try fixture.database.saleLines().first?.amount == Money(units: 1000))
    }

    @Test("contacts and clients files are recognised by their header and imported once")
    func contactsAndClients() throws {
        let fixture = try ImportFixture()
        // A contact alone does not make a client: one of a client the book does not know is left out, and said.
        let stranger = try fixture.importer.importFile(
            at: fixture.file("early.csv", "date,client_id,manager,outcome\n2024-01-02,C1,Anna,positive\n"))
        #expect(stranger.unknownClients == 1)
        #expect(stranger.inserted == 0)
        #expect(try fixture.database.clientProfile("C1") == nil, "no phantom client")
        _ = try fixture.importer.importFile(at: fixture.file("c0.csv", "client_id,client_name\nC1,Alpha\n"))
        let contacts = try fixture.file(
            "contacts.csv",
            "date,client_id,manager,outcome,note\n2024-01-05,C1,Anna,positive,\"Visit; new catalogue\"\n2024-01-09,C1,Anna,NEGATIVE,price complaint\n"
        )
        let first = try fixture.importer.importFile(at: contacts)
        #expect(first.kind == .contacts)
        #expect(first.inserted == 2)
        // The same contacts in another file are not stored twice.
        let again = try fixture.importer.importFile(
            at: fixture.file("contacts2.csv", "client_id;date;outcome;manager\nC1;05.01.2024;positive;Anna\n"))
        #expect(again.duplicates == 0)
        #expect(try fixture.database.contacts(clientID: "C1").map(\.outcome) == [.positive, .positive, .negative])

        let clients = try fixture.file(
            "clients.csv",
            "client_id,client_name,manager,region,segment,dossier_reviewed\nC1,Alpha GmbH,Anna,North,A-key,2024-01-01\n"
        )
        #expect(try fixture.importer.importFile(at: clients).kind == .clients)
        // Master data wins over the name on later sales lines.
        _ = try fixture.importer.importFile(
            at: fixture.file(
                "sales.csv", "date,client_id,client_name,document,amount,region\n2024-02-01,C1,ALPHA,D1,5,West\n"))
        let profile = try fixture.database.clientProfile("C1")
        #expect(profile?.name == "Alpha GmbH")
        #expect(profile?.region == "North")
        #expect(profile?.dossierReviewed == Day(iso: "2024-01-01"))
    }

    @Test("a bad contact outcome is named")
    func badOutcome() throws {
        let fixture = try ImportFixture()
        let path = try fixture.file("contacts.csv", "date,client_id,manager,outcome\n2024-01-05,C1,Anna,great\n")
        #expect(try fixture.refusal(path) == ["2: outcome: \"great\" is not positive, neutral or negative"])
    }

    @Test("a client's name, manager and region follow its newest sale, whatever the file order")
    func newestAttributesWin() throws {
        let fixture = try ImportFixture()
        let header = "date,client_id,client_name,document,amount,manager\n"
        _ = try fixture.importer.importFile(at: fixture.file("new.csv", header + "2024-05-01,C1,New Name,D2,5,Boris\n"))
        _ = try fixture.importer.importFile(at: fixture.file("old.csv", header + "2024-01-01,C1,Old Name,D1,5,Anna\n"))
        let profile = try fixture.database.clientProfile("C1")
        #expect(profile?.name == "New Name")
        #expect(profile?.manager == "Boris")
    }
}

@Suite("Import in batches")
struct BatchedImportTests {
    /// Rows for documents `range`, one line each.
    func rows(_ range: ClosedRange<Int>) -> String {
        range.map { "2024-01-01,C\($0 % 7),D\($0),1,\($0)\n" }.joined()
    }

    let header = "date,client_id,document,line,amount\n"

    @Test("a large re-export overlapping earlier imports stores each line once, across batch boundaries")
    func overlapAcrossBatches() throws {
        let fixture = try ImportFixture()
        _ = try fixture.importer.importFile(at: fixture.file("a.csv", header + rows(1...100)))
        let report = try fixture.importer.importFile(at: fixture.file("b.csv", header + rows(51...190)))
        #expect(report.rows == 140)
        #expect(report.inserted == 90)
        #expect(report.duplicates == 50)
        #expect(try fixture.database.salesLineCount() == 190)
    }

    @Test("a repeat deep inside a large file is found and named, and nothing is stored")
    func repeatInsideLargeFile() throws {
        let fixture = try ImportFixture()
        let text = header + rows(1...70) + "2024-01-01,C3,D10,1,10\n" + rows(71...100)
        #expect(
            try fixture.refusal(fixture.file("dup.csv", text)) == [
                "72: line: document \"D10\" line 1 already appears on line 11"
            ])
        #expect(try fixture.database.salesLineCount() == 0)
    }

    @Test("problems are listed in line order even when a repeat is found late")
    func order() throws {
        let fixture = try ImportFixture()
        let text = header + rows(1...5) + "2024-01-01,C1,D2,1,2\n" + "2024-01-01,C1,D99,1,x\n"
        #expect(
            try fixture.refusal(fixture.file("mixed.csv", text)) == [
                "7: line: document \"D2\" line 1 already appears on line 3",
                "8: amount: not a number: \"x\"",
            ])
    }

    @Test("client ids and documents spelled alike but in other bytes are other ids and documents, in any order")
    func spellingsByBytes() throws {
        // "é" precomposed (C3 A9) and as "e" with a combining accent (65 CC 81): one text to Swift's ==, two keys
        // to SQLite.
        let header = "date,client_id,client_name,document,line,amount\n"
        for (first, second) in [("\u{E9}", "e\u{301}"), ("e\u{301}", "\u{E9}")] {
            let fixture = try ImportFixture()
            _ = try fixture.importer.importFile(
                at: fixture.file(
                    "book.csv",
                    header + "2024-01-02,C\(first),Caf\u{E9},D\(first),1,10\n"
                        + "2024-01-02,C\(second),Caf\u{E9},D\(second),1,20\n"
                        + "2024-01-02,B,Other,F,1,5\n" + "2024-01-03,C\(second),Caf\u{E9},D\(second),2,40\n"
                        + "2024-01-03,C\(first),Caf\u{E9},D\(first),2,80\n"))
            let clients = try fixture.database.clientSummaries()
            let byBytes = Dictionary(uniqueKeysWithValues: clients.map { (Array($0.clientID.utf8), $0) })
            #expect(clients.count == 3, "\(clients.map(\.clientID))")
            #expect(byBytes[Array("C\(first)".utf8)]?.revenue == Money(scaled: 900_000))
            #expect(byBytes[Array("C\(second)".utf8)]?.revenue == Money(scaled: 600_000))
            #expect(clients.map(\.documents).sorted() == [1, 1, 1])
        }
    }

    @Test("a correction that moves a line to another client gives that client the document")
    func correctionMovesDocument() throws {
        let fixture = try ImportFixture()
        let header = "date,client_id,document,line,amount\n"
        _ = try fixture.importer.importFile(at: fixture.file("first.csv", header + "2024-01-18,B,D08,2,10\n"))
        // The ERP moved D08 line 2 to client A, and A bought line 4 of it: one batch of two lines.
        _ = try fixture.importer.importFile(
            at: fixture.file("second.csv", header + "2024-01-22,A,D08,2,10\n2024-01-25,A,D08,4,10\n"))
        let documents = Dictionary(
            uniqueKeysWithValues: try fixture.database.clientSummaries().map { ($0.clientID, $0.documents) })
        #expect(documents == ["A": 1, "B": 0])
    }

    @Test("an import leaves every reference whole, through corrections that move and empty client-days")
    func referencesAfterCorrections() throws {
        let fixture = try ImportFixture()
        let header = "date,client_id,document,line,amount,category\n"
        _ = try fixture.importer.importFile(
            at: fixture.file(
                "first.csv",
                header + "2024-01-18,B,D08,2,10,Tools\n2024-01-18,C,D09,1,5,Safety\n2024-01-19,C,D10,1,7,Tools\n"))
        // D08 line 2 moves to a new client A (B's only day empties), D09 changes category, D10 changes day.
        let report = try fixture.importer.importFile(
            at: fixture.file(
                "second.csv",
                header + "2024-01-22,A,D08,2,10,Tools\n2024-01-18,C,D09,1,5,Hydraulics\n2024-01-20,C,D10,1,7,Tools\n"))
        #expect(report.corrected == 3)
        // A refused file ends its transaction by a rollback: references are checked again after it as well.
        let refused = try fixture.refusal(fixture.file("bad.csv", header + "2024-01-23,A,D11,1,ten,Tools\n"))
        #expect(refused.count == 1)
        // The import checks no reference itself (see importFile): what it leaves must hold them all, and the
        // connection must check them again for everything after it.
        let daysOfB = "SELECT count(*) FROM client_days WHERE client = (SELECT id FROM clients WHERE client_id = 'B')"
        let (broken, checked, emptied) = try fixture.database.writer.write { db in
            (
                try Row.fetchAll(db, sql: "PRAGMA foreign_key_check"), try Int.fetchOne(db, sql: "PRAGMA foreign_keys"),
                try Int.fetchOne(db, sql: daysOfB)
            )
        }
        #expect(broken.isEmpty, "\(broken)")
        #expect(checked == 1)
        #expect(emptied == 0)
    }

    @Test("documents are counted once per client, in any order, across imports and shared between clients")
    func documentCounts() throws {
        let fixture = try ImportFixture()
        let header = "date,client_id,document,line,amount\n"
        // D5 comes back after other documents; D3 is below the greatest document so far; D9 is also C3's.
        _ = try fixture.importer.importFile(
            at: fixture.file(
                "first.csv",
                header + "2024-01-02,C1,D5,1,10\n2024-01-02,C1,D5,2,10\n2024-01-02,C2,D3,1,10\n"
                    + "2024-01-03,C1,D7,1,10\n2024-01-03,C2,D9,1,10\n2024-01-03,C1,D5,3,10\n"
                    + "2024-01-03,C2,D9,2,10\n2024-01-03,C3,D9,3,10\n"))
        func documents() throws -> [String: Int] {
            Dictionary(uniqueKeysWithValues: try fixture.database.clientSummaries().map { ($0.clientID, $0.documents) })
        }
        #expect(try documents() == ["C1": 2, "C2": 2, "C3": 1])
        // D5 again (stored by the first import), D10 (below "D9" byte by byte), DA (beyond every stored one) for
        // two clients.
        _ = try fixture.importer.importFile(
            at: fixture.file(
                "second.csv",
                header + "2024-01-04,C1,D5,4,10\n2024-01-04,C1,D10,1,10\n2024-01-04,C2,DA,1,10\n"
                    + "2024-01-04,C2,DA,2,10\n2024-01-04,C3,DA,3,10\n"))
        #expect(try documents() == ["C1": 3, "C2": 3, "C3": 2])
    }
}
