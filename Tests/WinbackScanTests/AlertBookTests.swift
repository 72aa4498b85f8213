import Foundation
import Testing
import WinbackCore
import WinbackOutbox
import WinbackStore

@Suite("Alerts across scans")
struct AlertBookTests {
    /// W1 buys weekly until 2024-04-01; on this two-client book it is at risk from 2024-04-26 and lost from 2024-05-08.
    func fixture() throws -> ScanFixture {
        let fixture = try ScanFixture()
        try fixture.load("a.csv", salesCSV("W1", every: 7, from: "2024-01-01", through: "2024-04-01", amount: 500))
        try fixture.load("b.csv", salesCSV("M1", every: 7, from: "2024-01-02", through: "2024-12-31", amount: 100))
        return fixture
    }

    func alerts(_ fixture: ScanFixture, kind: AlertKind, status: [AlertStatus] = AlertStatus.allCases) throws -> [Alert] {
        try fixture.database.alerts(AlertFilter(statuses: status, kinds: [kind], clientID: "W1"))
    }

    @Test("re-scanning updates the episode's alert instead of raising another; acknowledgement is kept")
    func oneAlertPerEpisode() throws {
        let fixture = try fixture()
        try fixture.scan("2024-04-26")
        let first = try #require(try alerts(fixture, kind: .atRisk).first)
        try fixture.database.acknowledge([first.id])
        try fixture.scan("2024-04-26")
        try fixture.scan("2024-04-29")
        let again = try alerts(fixture, kind: .atRisk)
        #expect(again.count == 1)
        #expect(again.first?.id == first.id)
        #expect(again.first?.status == .acknowledged)
        #expect(again.first?.lastSeen == Day(iso: "2024-04-29"))
        #expect(again.first?.title.contains("silent 28 days") == true)
    }

    @Test("at risk turning lost clears the at-risk alert and raises a lost one; coming back resolves it as won back")
    func lifecycle() throws {
        let fixture = try fixture()
        try fixture.scan("2024-04-26")
        try fixture.scan("2024-05-10")
        #expect(try alerts(fixture, kind: .atRisk).first?.resolution == "cleared")
        let lost = try #require(try alerts(fixture, kind: .lost).first)
        #expect(lost.status == .new)
        #expect(lost.severity == .critical, "W1 is an A client")
        try fixture.load("c.csv", salesCSV("W1", every: 7, from: "2024-05-20", through: "2024-05-27"))
        try fixture.scan("2024-05-28")
        let resolved = try #require(try alerts(fixture, kind: .lost).first)
        #expect(resolved.status == .resolved)
        #expect(resolved.resolution == "won_back")
        #expect(resolved.resolvedOn == Day(iso: "2024-05-28"))
        #expect(try alerts(fixture, kind: .wonBack, status: [.new]).count == 1)
    }

    @Test("an alert that clears and comes back on the same day goes on as one episode; rescans of that day never fail")
    func sameDayReappearance() throws {
        let fixture = try fixture()
        try fixture.scan("2024-04-26")
        let first = try #require(try alerts(fixture, kind: .atRisk).first)
        // A big order clears it the same day…
        try fixture.load("big.csv", "date,client_id,document,line,amount\n2024-04-26,W1,BIG-1,1,900\n")
        try fixture.scan("2024-04-26")
        #expect(try alerts(fixture, kind: .atRisk).first?.resolution == "cleared")
        // …and the ERP's correction of the order's date (it ships tomorrow) brings it back, still the same day.
        try fixture.load("credit.csv", "date,client_id,document,line,amount\n2024-04-27,W1,BIG-1,1,900\n")
        try fixture.scan("2024-04-26")
        try fixture.scan("2024-04-26")
        let again = try alerts(fixture, kind: .atRisk)
        #expect(again.count == 1)
        #expect(again.first?.id == first.id)
        #expect(again.first?.status == .new)
        #expect(again.first?.resolution == nil)
    }

    @Test("replays in any order never fail and leave the live alerts to the latest day")
    func replaysInAnyOrder() throws {
        let fixture = try fixture()
        for day in ["2024-06-30", "2024-03-31", "2024-06-30", "2024-05-10", "2024-01-31", "2024-06-30"] {
            try fixture.scan(day)
        }
        let live = try fixture.database.alerts()
        try fixture.scan("2024-04-26")
        #expect(try fixture.database.alerts() == live, "a replay moves no live alert")
        #expect(try alerts(fixture, kind: .lost, status: [.new]).count == 1)
    }

    @Test("a won-back alert holds while the client stays won back, and resolves when it relapses")
    func wonBackAlertEnds() throws {
        let fixture = try fixture()
        try fixture.scan("2024-05-10")
        try fixture.load("c.csv", salesCSV("W1", every: 7, from: "2024-05-27", through: "2024-05-27"))
        try fixture.scan("2024-05-28")
        #expect(try alerts(fixture, kind: .wonBack, status: [.new]).count == 1)
        try fixture.scan("2024-06-04")
        #expect(try alerts(fixture, kind: .wonBack, status: [.new]).count == 1, "still won back a week later")
        try fixture.scan("2024-07-15")
        let state = try #require(try fixture.state("W1"))
        #expect(state.status.isFailing, "silent seven weeks after one order: \(state.status)")
        #expect(try alerts(fixture, kind: .wonBack, status: [.new]).isEmpty)
        #expect(try alerts(fixture, kind: .wonBack).first?.resolution == "cleared")
        let open = try fixture.database.alerts(AlertFilter(clientID: "W1")).map(\.kind)
        #expect(!open.contains(.wonBack) && open.contains { $0.isLoss }, "\(open)")
        #expect(try fixture.database.winbackList().contains { $0.clientID == "W1" }, "back on the list")
    }

    @Test("a snoozed alert wakes at the first scan on or after its day; a resolved one stays resolved in its episode")
    func snoozeAndResolve() throws {
        let fixture = try fixture()
        try fixture.scan("2024-05-10")
        let lost = try #require(try alerts(fixture, kind: .lost).first)
        try fixture.database.snooze(lost.id, until: Day(iso: "2024-05-20")!)
        try fixture.scan("2024-05-15")
        #expect(try alerts(fixture, kind: .lost).first?.status == .snoozed)
        try fixture.scan("2024-05-20")
        #expect(try alerts(fixture, kind: .lost).first?.status == .new)
        try fixture.database.resolve([lost.id], on: Day(iso: "2024-05-21")!)
        try fixture.scan("2024-05-22")
        let all = try alerts(fixture, kind: .lost)
        #expect(all.count == 1, "still the same episode: not raised again")
        #expect(all.first?.status == .resolved)
        #expect(all.first?.resolution == "manual")
        #expect(throws: AlertActionError.self) { try fixture.database.acknowledge([lost.id]) }
        #expect(throws: AlertActionError.self) { try fixture.database.acknowledge([999]) }
    }

    @Test("a refused import raises import_rejected")
    func importRejected() throws {
        let fixture = try ScanFixture()
        #expect(throws: (any Error).self) { try fixture.load("bad.csv", "date,client_id,document,amount\nyesterday,C1,D1,5\n") }
        let alerts = try fixture.database.alerts(AlertFilter(kinds: [.importRejected]))
        #expect(alerts.count == 1)
        #expect(alerts.first?.title == "bad.csv was not imported")
        #expect(alerts.first?.explanation.contains("date: not a date") == true)
    }

    @Test("the outbox holds the day's files, written whole; a second scan of the day replaces them")
    func outbox() throws {
        let fixture = try fixture()
        try fixture.scan("2024-05-10")
        let outbox = Outbox(directory: fixture.folder.appendingPathComponent("outbox").path)
        let day = Day(iso: "2024-05-10")!
        let folder = try outbox.write(fixture.database.liveView(asOf: day))
        let names = try FileManager.default.contentsOfDirectory(atPath: folder).sorted()
        #expect(names == ["alerts.csv", "alerts.jsonl", "digest.html", "digest.md", "winback.csv"])
        let lines = try String(contentsOfFile: folder + "/alerts.jsonl", encoding: .utf8).split(separator: "\n")
        let open = try fixture.database.alerts()
        #expect(lines.count == open.count)
        for line in lines {
            let object = try #require(try JSONSerialization.jsonObject(with: Data(line.utf8)) as? [String: Any])
            #expect(object["schema"] as? Int == 1)
            #expect(object["as_of"] as? String == "2024-05-10")
            #expect(object.keys.contains("offer"))
        }
        let digest = try String(contentsOfFile: folder + "/digest.md", encoding: .utf8)
        #expect(digest.hasPrefix("# winback — 2024-05-10"))
        #expect(digest.contains("| lost | 1 |"))
        let winback = try String(contentsOfFile: folder + "/winback.csv", encoding: .utf8)
        #expect(winback.hasPrefix("rank,client_id,client_name,manager,status,abc,value,p_alive,p_buy,value_at_risk,missed_cycles,reason,offer"))
        #expect(winback.contains("1,W1,"))

        try fixture.load("c.csv", salesCSV("W1", every: 7, from: "2024-05-06", through: "2024-05-06", header: true))
        try fixture.scan("2024-05-10")
        try outbox.write(fixture.database.liveView(asOf: day))
        let replaced = try String(contentsOfFile: folder + "/winback.csv", encoding: .utf8)
        #expect(!replaced.contains("1,W1,"), "W1 bought again: off the list")
        #expect(try FileManager.default.contentsOfDirectory(atPath: folder).sorted() == names, "no temporary files left")
    }
}
