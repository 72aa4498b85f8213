import Foundation
import Testing
import WinbackCore
import WinbackOutbox
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
        "a day's four files are written whole; writing the day again replaces them and clears a killed writer's leftovers"
    )
    func writesAndReplaces() throws {
        let scratch = try TemporaryFolder("winback-outbox")
        let outbox = Outbox(directory: scratch.url.appendingPathComponent("outbox").path)
        let folder = try outbox.write(view)
        #expect(folder.hasSuffix("/outbox/2025-03-31"))
        let names = try FileManager.default.contentsOfDirectory(atPath: folder).sorted()
        #expect(names == ["alerts.csv", "alerts.jsonl", "digest.md", "winback.csv"])
        try Data("half".utf8).write(to: URL(fileURLWithPath: folder + "/.alerts.csv.99.tmp"))
        var quiet = view
        quiet.alerts = []
        try outbox.write(quiet)
        #expect(try FileManager.default.contentsOfDirectory(atPath: folder).sorted() == names)
        #expect(try String(contentsOfFile: folder + "/alerts.jsonl", encoding: .utf8) == "")
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
