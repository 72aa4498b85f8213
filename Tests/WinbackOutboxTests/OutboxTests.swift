import Foundation
import Testing
import WinbackCore
import WinbackOutbox
import WinbackReports
import WinbackTestSupport

@Suite("The outbox")
struct OutboxTests {
    let view = DayView(
        asOf: Day(iso: "2025-03-31")!,
        alerts: [
            Alert(
                id: 1, clientID: "C1", clientName: "Nordbau GmbH", manager: "Eva", kind: .lost, category: nil,
                severity: .critical, status: .new, title: "lost", explanation: "silent", offer: nil,
                value: Money(units: 5),
                firstSeen: Day(iso: "2025-03-01")!, lastSeen: Day(iso: "2025-03-31")!)
        ],
        winback: [])

    @Test(
        "a day's files are written whole; writing the day again replaces them and clears a killed writer's leftovers"
    )
    func writesAndReplaces() throws {
        let scratch = try TemporaryFolder("winback-outbox")
        let outbox = Outbox(directory: scratch.url.appendingPathComponent("outbox").path)
        let folder = try outbox.write(view)
        #expect(folder.hasSuffix("/outbox/2025-03-31"))
        let names = try FileManager.default.contentsOfDirectory(atPath: folder).sorted()
        #expect(names == ["alerts.csv", "alerts.jsonl", "digest.html", "digest.md", "managers", "winback.csv"])
        #expect(try FileManager.default.contentsOfDirectory(atPath: folder + "/managers") == ["eva"])
        try Data("half".utf8).write(to: URL(fileURLWithPath: folder + "/.alerts.csv.99.tmp"))
        var quiet = view
        quiet.alerts = []
        try outbox.write(quiet)
        #expect(try FileManager.default.contentsOfDirectory(atPath: folder).sorted() == names)
        #expect(try String(contentsOfFile: folder + "/alerts.jsonl", encoding: .utf8) == "")
        #expect(
            try FileManager.default.contentsOfDirectory(atPath: folder + "/managers").isEmpty,
            "a manager with nothing on the day again has no folder left from the first run")
    }

    @Test("each manager gets their own folder with their clients' alerts and win-back entries, in their locale")
    func managers() throws {
        func alert(_ id: Int64, _ manager: String?) -> Alert {
            Alert(
                id: id, clientID: "C\(id)", clientName: "Client \(id)", manager: manager, kind: .lost, category: nil,
                severity: .warning, status: .new, title: "Client \(id) lost", explanation: "silent",
                offer: nil, value: Money(units: 1000 * id), firstSeen: Day(iso: "2025-03-31")!,
                lastSeen: Day(iso: "2025-03-31")!)
        }
        var day = view
        day.alerts = [alert(1, "Eva Novák"), alert(2, "Łukasz Groß"), alert(3, "eva novak"), alert(4, nil)]
        let scratch = try TemporaryFolder("winback-outbox")
        let german = OutputLocale(
            identifier: "de_DE", currency: "EUR", numbers: NumberStyle(decimalMark: ",", groupingMark: "."),
            csvDelimiter: ";", byteOrderMark: true)
        let folder = try Outbox(directory: scratch.url.appendingPathComponent("outbox").path, locale: german)
            .write(day)
        let managers = try FileManager.default.contentsOfDirectory(atPath: folder + "/managers").sorted()
        #expect(managers == ["eva-novak", "lukasz-gross"], "two spellings of one name are one manager")
        // Different names are never one folder, even where they would be spelled alike.
        let alike = Outbox.managerFolders(["王伟", "王薇", "★★★", "♦♦♦", "O'Brien", "O Brien", "Eva  Novák", "EVA NOVAK"])
        #expect(Set(alike.map(\.slug)).count == 7, "\(alike.map(\.slug))")
        #expect(alike.first { $0.spellings.contains("EVA NOVAK") }?.spellings == ["Eva  Novák", "EVA NOVAK"])
        #expect(alike.allSatisfy { !$0.slug.hasSuffix("-") && $0.slug.allSatisfy { $0.isASCII } })
        #expect(
            Outbox.managerFolders(["王伟", "王薇"]).map(\.slug) == Outbox.managerFolders(["王薇", "王伟"]).map(\.slug),
            "the same names give the same folders whatever their order")
        let eva = try String(contentsOfFile: folder + "/managers/eva-novak/alerts.csv", encoding: .utf8)
        #expect(eva.hasPrefix("id;severity;"))
        let bytes = try Data(contentsOf: URL(fileURLWithPath: folder + "/managers/eva-novak/alerts.csv"))
        #expect(Array(bytes.prefix(3)) == [0xEF, 0xBB, 0xBF], "a byte order mark, for Excel")
        #expect(eva.contains("Client 1") && eva.contains("Client 3"))
        let rendered = Listings.alerts(day.alerts.filter { $0.id == 1 || $0.id == 3 }, format: .csv)
            .render(.csv, locale: german)
        #expect(Array(bytes) == Array(rendered.utf8), "a manager's rows are the listing of their alerts, byte for byte")
        #expect(!eva.contains("Client 2") && !eva.contains("Client 4"))
        let digest = try String(contentsOfFile: folder + "/managers/lukasz-gross/digest.md", encoding: .utf8)
        #expect(digest.hasPrefix("# winback — Łukasz Groß — 2025-03-31"))
        #expect(digest.contains("Client 2") && !digest.contains("Client 1 "))
        let names = try FileManager.default.contentsOfDirectory(atPath: folder + "/managers/eva-novak").sorted()
        #expect(names == ["alerts.csv", "digest.html", "digest.md", "winback.csv"])
        let whole = try String(contentsOfFile: folder + "/alerts.csv", encoding: .utf8)
        #expect(whole.contains("Client 4"), "the whole book's files keep clients without a manager")
    }

    @Test("a file where the outbox folder should be is refused with its path, not overwritten")
    func fileInTheWay() throws {
        let scratch = try TemporaryFolder("winback-outbox")
        let path = scratch.url.appendingPathComponent("outbox").path
        try Data("not a folder".utf8).write(to: URL(fileURLWithPath: path))
        #expect { try Outbox(directory: path).write(view) } throws: { error in
            (error as? Outbox.Failure)?.description == "\(path): is not a directory"
        }
        #expect(try String(contentsOfFile: path, encoding: .utf8) == "not a folder")
    }
}
