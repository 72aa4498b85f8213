import Foundation
import Testing
import WinbackConfig
import WinbackCore
import WinbackImport
import WinbackOutbox
import WinbackRuntime
import WinbackStore
import WinbackTestSupport

/// The `[notify] command`: what it is told, how its failures and its time limit are handled, and the example that
/// mails the digests.
@Suite("Notify command")
struct NotifyCommandTests {
    static let facts = NotifyCommand.Facts(
        asOf: Day(iso: "2025-03-31")!, folder: "/srv/outbox/2025-03-31", newAlerts: 4, criticalOpen: 1, atRisk: 7,
        lost: 2)

    @Test("placeholders in its arguments and WINBACK_ variables in its environment tell it the day")
    func facts() throws {
        let scratch = try TemporaryFolder("winback-notify")
        let out = scratch.url.appendingPathComponent("out.txt").path
        let command = NotifyCommand(
            settings: NotifySettings(command: [
                "/bin/sh", "-c", "echo \"$1 $WINBACK_AS_OF $WINBACK_NEW_ALERTS $WINBACK_DIGEST_HTML\" > \(out)", "sh",
                "{outbox}",
            ]))
        let outcome = command.run(Self.facts)
        #expect(outcome.failure == nil)
        #expect(
            try String(contentsOfFile: out, encoding: .utf8)
                == "/srv/outbox/2025-03-31 2025-03-31 4 /srv/outbox/2025-03-31/digest.html\n")
    }

    @Test("a failing command is reported with its status and the last line it wrote")
    func failure() {
        let command = NotifyCommand(
            settings: NotifySettings(command: [
                "/bin/sh", "-c", "echo working; echo 'smtp: connection refused' >&2; exit 3",
            ]))
        #expect(command.run(Self.facts).failure == "/bin/sh exited with status 3: smtp: connection refused")
        let missing = NotifyCommand(settings: NotifySettings(command: ["/nonexistent/mailer"]))
        #expect(missing.run(Self.facts).failure == "cannot run /nonexistent/mailer: No such file or directory")
    }

    @Test("a command that hangs is stopped at its time limit, with what it started")
    func timeLimit() throws {
        let scratch = try TemporaryFolder("winback-notify")
        let marker = scratch.url.appendingPathComponent("survived").path
        // The shell ignores TERM; the time limit still ends it, and its background child, by SIGKILL to the group.
        let command = NotifyCommand(
            settings: NotifySettings(
                command: ["/bin/sh", "-c", "trap '' TERM; (sleep 4; touch \(marker)) & sleep 30"], timeoutSeconds: 1))
        let outcome = command.run(Self.facts)
        #expect(outcome.failure?.hasPrefix("/bin/sh did not finish within 1 s and was stopped") == true)
        #expect(outcome.seconds < 5)
        Thread.sleep(forTimeInterval: 4.5)
        #expect(!FileManager.default.fileExists(atPath: marker), "the group's children were stopped too")
    }

    @Test("a scan whose notification fails raises notify_failed; the next one that succeeds resolves it")
    func alert() throws {
        let scratch = try TemporaryFolder("winback-notify")
        let state = StateDirectory(root: scratch.url.appendingPathComponent("state").path)
        try state.prepare()
        let database = try AppDatabase.open(path: state.databasePath)
        let file = scratch.url.appendingPathComponent("sales.csv").path
        try "date,client_id,document,amount\n2025-03-03,C1,D1,100\n".write(
            toFile: file, atomically: true, encoding: .utf8)
        _ = try Importer(database: database, settings: ImportSettings()).importFile(at: file)
        func scan(_ day: String, _ command: [String]) throws -> ScanJob.Result {
            try ScanJob(
                database: database, settings: ChurnSettings(), outbox: Outbox(directory: state.outbox),
                today: { Day(iso: "2025-04-30")! }, notify: NotifySettings(command: command)
            ).run(asOf: Day(iso: day)!)
        }
        let failed = try scan("2025-03-31", ["/bin/false"])
        #expect(failed.notification?.failure == "/bin/false exited with status 1")
        let open = try database.alerts().filter { $0.kind == .notifyFailed }
        #expect(open.count == 1)
        #expect(open.first?.explanation.hasPrefix("/bin/false exited with status 1") == true)
        let fine = try scan("2025-04-01", ["/bin/true"])
        #expect(fine.notification?.failure == nil)
        #expect(try database.alerts().filter { $0.kind == .notifyFailed }.isEmpty)
        // Failing again on a day whose alert was resolved opens it again.
        _ = try scan("2025-04-01", ["/bin/false"])
        #expect(try database.alerts().filter { $0.kind == .notifyFailed }.map(\.status) == [.new])
        let quiet = try scan("2025-04-02", [])
        #expect(quiet.notification == nil, "no command, nothing run")
    }

    @Test("the example mails the head of sales the whole digest and each manager theirs, through sendmail")
    func exampleMailer() throws {
        let scratch = try TemporaryFolder("winback-notify")
        let view = DayView(
            asOf: Day(iso: "2025-03-31")!,
            alerts: [
                Alert(
                    id: 1, clientID: "C1", clientName: "Nordbau GmbH", manager: "Eva Novák", kind: .lost,
                    category: nil, severity: .critical, status: .new, title: "Nordbau lost", explanation: "silent",
                    offer: nil, value: Money(units: 5), firstSeen: Day(iso: "2025-03-31")!,
                    lastSeen: Day(iso: "2025-03-31")!)
            ], winback: [])
        let folder = try Outbox(directory: scratch.url.appendingPathComponent("outbox").path).write(view)
        let mails = scratch.url.appendingPathComponent("mails").path
        let sendmail = scratch.url.appendingPathComponent("sendmail").path
        try "#!/bin/sh\necho \"=== $*\" >> \(mails)\ncat >> \(mails)\n".write(
            toFile: sendmail, atomically: true, encoding: .utf8)
        chmod(sendmail, 0o755)
        let recipients = scratch.url.appendingPathComponent("recipients").path
        try "# who\nall boss@example.com\neva-novak eva@example.com\njan-dvorak jan@example.com\n".write(
            toFile: recipients, atomically: true, encoding: .utf8)
        let script = URL(fileURLWithPath: #filePath).deletingLastPathComponent()
            .appendingPathComponent("../../deploy/notify-mail.sh").standardizedFileURL.path
        let command = NotifyCommand(settings: NotifySettings(command: ["/bin/sh", script, "{outbox}"]))
        var facts = Self.facts
        facts.folder = folder
        var environment = ProcessInfo.processInfo.environment
        environment["SENDMAIL"] = sendmail
        environment["WINBACK_RECIPIENTS"] = recipients
        let outcome = command.run(facts, environment: environment)
        #expect(outcome.failure == nil, "\(outcome.output)")
        let text = try String(contentsOfFile: mails, encoding: .utf8)
        #expect(text.components(separatedBy: "=== -oi ").count == 3, "two mails: the manager without alerts gets none")
        #expect(text.contains("=== -oi boss@example.com\n") && text.contains("=== -oi eva@example.com\n"))
        #expect(text.contains("Content-Type: text/html; charset=utf-8"))
        // The manager's HTML part decodes to their own digest.
        let parts = text.components(separatedBy: "=== -oi eva@example.com\n")[1]
            .components(separatedBy: "Content-Transfer-Encoding: base64\n\n")
        let html = parts[2].components(separatedBy: "\n--").first!.replacingOccurrences(of: "\n", with: "")
        let decoded = try #require(Data(base64Encoded: html)).map { $0 }
        #expect(String(decoding: decoded, as: UTF8.self).contains("winback — Eva Novák — 2025-03-31"))
    }
}
