import Foundation
import Testing
import WinbackCore
import WinbackTestSupport

#if canImport(Glibc)
    import Glibc
#endif

@Suite("winback on the command line")
struct CLITests {
    let sales = """
        date;client_id;client_name;document;line;amount;manager;region
        05.03.2024;C1;Alpha GmbH;INV-1;1;1 000,00;Anna;North
        05.03.2024;C1;Alpha GmbH;INV-1;2;250,50;Anna;North
        06.03.2024;C2;=HYPERLINK("http://x");INV-2;1;99,00;Boris;South
        07.03.2024;C2;=HYPERLINK("http://x");CN-1;1;-9,00;Boris;South

        """

    @Test("import then clients --format json: one array, snake_case keys, by revenue")
    func importAndList() throws {
        let winback = try WinbackProcess()
        let path = try winback.file("sales.csv", sales)
        let imported = try winback.run(["import", path])
        #expect(imported.status == 0, "stderr: \(imported.stderr)")
        #expect(imported.stdout.contains("sales, 4 rows: 4 stored"))

        let listed = try winback.run(["clients", "--format", "json"])
        #expect(listed.status == 0)
        let rows = try #require(try JSONSerialization.jsonObject(with: Data(listed.stdout.utf8)) as? [[String: Any]])
        #expect(rows.map { $0["client_id"] as? String } == ["C1", "C2"])
        #expect(rows[0]["revenue"] as? Double == 1250.5)
        #expect(rows[1]["revenue"] as? Double == 90)
        #expect(rows[0]["first_purchase"] as? String == "2024-03-05")
        #expect(rows[1]["last_purchase"] as? String == "2024-03-06")
        #expect(rows[0]["documents"] as? Int == 1)
        #expect(rows[1]["documents"] as? Int == 2)
        #expect(
            Set(rows[0].keys) == [
                "client_id", "client_name", "manager", "region", "status", "abc", "xyz", "share", "first_purchase",
                "last_purchase", "documents", "revenue", "typical_interval_days", "expected_next_purchase",
                "days_silent",
                "missed_cycles", "p_alive", "p_buy", "expected_purchases", "silence_probability", "season", "as_of",
            ])
        // Not scanned yet: the scan's fields are there, and null.
        #expect(rows[0]["status"] is NSNull)
    }

    @Test("--help, on its own or after a command, prints the help and exits 0")
    func help() throws {
        let winback = try WinbackProcess()
        for arguments in [["--help"], ["generate", "--help"], ["help", "backtest"], ["backtest", "-h"]] {
            let result = try winback.run(arguments, withConfig: false)
            #expect(result.status == 0, "\(arguments): \(result.stderr)")
            #expect(result.stdout.contains("USAGE: winback"), "\(arguments)")
            #expect(!result.stderr.contains("CommandError"), "\(arguments)")
        }
    }

    @Test("the same file again stores nothing and still succeeds")
    func reimport() throws {
        let winback = try WinbackProcess()
        let path = try winback.file("sales.csv", sales)
        _ = try winback.run(["import", path])
        let again = try winback.run(["import", path])
        #expect(again.status == 0)
        #expect(again.stdout.contains("already imported"))
    }

    @Test("a refused file: every bad line on stderr, a one-line reason last, non-zero exit, nothing stored")
    func refusal() throws {
        let winback = try WinbackProcess()
        let bad = try winback.file(
            "bad.csv", "date,client_id,document,amount\n2024-13-01,C1,D1,5\n2024-01-01,C1,D2,five\n")
        let result = try winback.run(["import", bad])
        #expect(result.status != 0)
        let lines = result.stderr.split(separator: "\n").map(String.init)
        #expect(lines.count == 3)
        #expect(lines[0] == "\(bad):2: date: not a date: \"2024-13-01\" (expected YYYY-MM-DD, D.M.YYYY, YYYYMMDD)")
        #expect(lines[1] == "\(bad):3: amount: not a number: \"five\"")
        #expect(lines[2] == "winback: \(bad) not imported; nothing of it was stored")
        let listed = try winback.run(["clients", "--format", "json"])
        #expect(listed.stdout == "[]\n")
    }

    @Test("CSV output neutralises formulas in text and leaves numbers alone")
    func csvInjection() throws {
        let winback = try WinbackProcess()
        _ = try winback.run(["import", try winback.file("sales.csv", sales)])
        let result = try winback.run(["clients", "--format", "csv"])
        let lines = result.stdout.split(separator: "\r\n").map(String.init)
        #expect(
            lines[0]
                == "client_id,client_name,manager,region,status,abc,xyz,share,first_purchase,last_purchase,documents,"
                + "revenue,typical_interval_days,expected_next_purchase,days_silent,missed_cycles,p_alive,p_buy,"
                + "expected_purchases,silence_probability,season,as_of")
        #expect(
            lines[2] == "C2,\"'=HYPERLINK(\"\"http://x\"\")\",Boris,South,,,,,2024-03-06,2024-03-06,2,90.00,,,,,,,,,,")
    }

    @Test("a bad config is one line naming the file, the line and the key")
    func badConfig() throws {
        let winback = try WinbackProcess()
        try "state_dir = \"state\"\nmax_errors = 3\n".write(to: winback.config, atomically: true, encoding: .utf8)
        let result = try winback.run(["clients"])
        #expect(result.status != 0)
        #expect(result.stderr == "winback: \(winback.config.path):2: max_errors: unknown key\n")
    }

    @Test(
        "a config toml++ aborted on, or one with a NUL byte, is one line with its line number for every command",
        arguments: [
            ("state_dir = \"state\"\ncriteria = [\"overdue\", }\n", ":2: expected a value, found '}'"),
            ("state_dir = \"state\"\n\u{0}state_dri = 1\n", ":2: a NUL byte: a config file is plain UTF-8 text"),
            (String(repeating: "\u{0}", count: 4096), ":1: a NUL byte: a config file is plain UTF-8 text"),
        ])
    func brokenConfig(_ text: String, _ message: String) throws {
        let winback = try WinbackProcess()
        try Data(text.utf8).write(to: winback.config)
        for command in [["config", "check"], ["scan"], ["daemon"]] {
            let result = try winback.run(command)
            #expect(result.status == 1, "\(command): not a crash")
            #expect(result.stderr == "winback: \(winback.config.path)\(message)\n", "\(command)")
        }
        #expect(!FileManager.default.fileExists(atPath: winback.folder.appendingPathComponent("state").path))
    }

    @Test("$WINBACK_CONFIG is used when --config is not given")
    func environmentConfig() throws {
        let winback = try WinbackProcess()
        let result = try winback.run(
            ["clients", "--format", "json"], withConfig: false, environment: ["WINBACK_CONFIG": winback.config.path])
        #expect(result.status == 0, "stderr: \(result.stderr)")
        #expect(
            FileManager.default.fileExists(atPath: winback.folder.appendingPathComponent("state/winback.sqlite").path))
        #expect(FileManager.default.fileExists(atPath: winback.folder.appendingPathComponent("state/inbox").path))
    }

    @Test("a state directory alone is enough, by --state-dir or $WINBACK_STATE_DIR, where no config file is")
    func stateDirectoryAlone() throws {
        let winback = try WinbackProcess()
        let elsewhere = winback.folder.appendingPathComponent("elsewhere")
        try FileManager.default.createDirectory(at: elsewhere, withIntermediateDirectories: true)
        let state = winback.folder.appendingPathComponent("alone").path
        let sales = try winback.file("sales.csv", "date,client_id,document,amount\n2025-01-02,C1,D1,5\n")
        let imported = try winback.run(
            ["import", "--state-dir", state, sales], withConfig: false, directory: elsewhere.path)
        #expect(imported.status == 0, "stderr: \(imported.stderr)")
        let listed = try winback.run(
            ["clients", "--format", "json"], withConfig: false,
            environment: ["WINBACK_STATE_DIR": state], directory: elsewhere.path)
        #expect(listed.status == 0, "stderr: \(listed.stderr)")
        #expect(listed.stdout.contains("\"C1\""), "\(listed.stdout)")
        let nothing = try winback.run(["clients"], withConfig: false, directory: elsewhere.path)
        #expect(nothing.status != 0)
        #expect(nothing.stderr.contains("no config file"), "without a state directory a config is still needed")
        let empty = try winback.run(["clients", "--state-dir", ""], withConfig: false, directory: elsewhere.path)
        #expect(empty.status != 0)
        #expect(empty.stderr.contains("--state-dir needs a folder"))
        #expect(try FileManager.default.contentsOfDirectory(atPath: elsewhere.path).isEmpty, "nothing made here")
    }

    @Test("generate writes an export that import accepts as it is")
    func generateThenImport() throws {
        let winback = try WinbackProcess()
        let path = winback.folder.appendingPathComponent("gen.csv").path
        let generated = try winback.run(
            ["generate", "--clients", "20", "--style", "semicolon", "-o", path], withConfig: false)
        #expect(generated.status == 0, "stderr: \(generated.stderr)")
        let imported = try winback.run(["import", path])
        #expect(imported.status == 0, "stderr: \(imported.stderr)")
        let listed = try winback.run(["clients", "--format", "json"])
        let rows = try #require(try JSONSerialization.jsonObject(with: Data(listed.stdout.utf8)) as? [[String: Any]])
        #expect(rows.count == 20)
    }

    @Test("terminal tables show control characters from data escaped")
    func controlCharacters() throws {
        let winback = try WinbackProcess()
        _ = try winback.run([
            "import",
            try winback.file(
                "s.csv", "date,client_id,client_name,document,amount\n2024-01-01,C1,\"Evil\u{1b}[2J\",D1,5\n"),
        ])
        let table = try winback.run(["clients"])
        #expect(table.stdout.contains("Evil\\u{1b}[2J"))
        #expect(!table.stdout.contains("\u{1b}"))
    }
}

@Suite("winback scan and client on the command line")
struct ScanCLITests {
    /// A weekly client that stopped in May, a monthly one still buying, and one that bought once long ago.
    static var sales: String {
        var rows = ["date,client_id,client_name,document,line,amount,category"]
        var day = Day(iso: "2024-01-03")!
        var number = 0
        while day <= Day(iso: "2024-05-01")! {
            number += 1
            rows.append("\(day.iso),W1,Weekly Ltd,W-\(number),1,100,Tools")
            day = day.adding(days: 7)
        }
        day = Day(iso: "2024-01-10")!
        while day <= Day(iso: "2024-08-20")! {
            number += 1
            rows.append("\(day.iso),M1,Monthly AG,M-\(number),1,400,Bearings")
            day = day.adding(days: 30)
        }
        rows.append("2024-02-01,O1,Once Oy,O-1,1,50,Tools")
        return rows.joined(separator: "\n") + "\n"
    }

    @Test("scan --as-of: statuses, rhythm and classes reach clients --format json")
    func scanThenList() throws {
        let winback = try WinbackProcess()
        _ = try winback.run(["import", try winback.file("sales.csv", Self.sales)])
        let scan = try winback.run(["scan", "--as-of", "2024-09-01"])
        #expect(scan.status == 0, "stderr: \(scan.stderr)")
        #expect(scan.stdout.hasPrefix("scanned 3 clients as of 2024-09-01"))
        let listed = try winback.run(["clients", "--format", "json"])
        let rows = try #require(try JSONSerialization.jsonObject(with: Data(listed.stdout.utf8)) as? [[String: Any]])
        let byID = Dictionary(uniqueKeysWithValues: rows.map { ($0["client_id"] as! String, $0) })
        #expect(byID["W1"]?["status"] as? String == "lost")
        #expect(byID["W1"]?["typical_interval_days"] as? Double == 7)
        #expect(byID["W1"]?["days_silent"] as? Int == 123)
        #expect(byID["W1"]?["as_of"] as? String == "2024-09-01", "the day the numbers are as of")
        #expect(byID["W1"]?["missed_cycles"] as? Int == 16)
        #expect(byID["M1"]?["status"] as? String == "active")
        #expect(byID["M1"]?["expected_next_purchase"] as? String == "2024-09-06")
        #expect(byID["O1"]?["status"] as? String == "at_risk", "one purchase seven months ago: probably gone")
        #expect(byID["M1"]?["abc"] as? String == "A")
        let shares = rows.compactMap { $0["share"] as? Double }
        #expect(abs(shares.reduce(0, +) - 1) < 1e-5)
    }

    @Test("client ID tells the story: status with its numbers, and the status history across scans")
    func story() throws {
        let winback = try WinbackProcess()
        // A three-client book: its own pauses say nothing about whether the export stopped.
        try "state_dir = \"state\"\n[feed]\nstale_after_days = 90\n".write(
            to: winback.config, atomically: true, encoding: .utf8)
        _ = try winback.run(["import", try winback.file("sales.csv", Self.sales)])
        _ = try winback.run(["scan", "--as-of", "2024-04-30"])
        _ = try winback.run(["scan", "--as-of", "2024-05-25"])
        _ = try winback.run(["scan", "--as-of", "2024-07-01"])
        let story = try winback.run(["client", "W1"])
        #expect(story.status == 0, "stderr: \(story.stderr)")
        #expect(story.stdout.contains("As of 2024-07-01: lost since 2024-07-01 — buys every 7 days (fairly regular"))
        #expect(story.stdout.contains("silent for 61 days, "))
        #expect(story.stdout.contains("a client still buying is this silent less than once in"))
        #expect(story.stdout.contains("The purchase model gives it a 0 % chance of still buying"))
        #expect(story.stdout.contains("2024-04-30  active"))
        #expect(story.stdout.contains("2024-05-25  active → at_risk"))
        #expect(story.stdout.contains("2024-07-01  at_risk → lost"))
        let missing = try winback.run(["client", "nobody"])
        #expect(missing.status != 0)
        #expect(missing.stderr == "winback: no client \"nobody\"\n")
    }

    @Test("a day after today is refused with the reason, and nothing is stored for it")
    func futureDay() throws {
        let winback = try WinbackProcess()
        _ = try winback.run(["import", try winback.file("sales.csv", Self.sales)])
        let result = try winback.run(["scan", "--as-of", "2999-01-01"])
        #expect(result.status != 0)
        #expect(result.stderr.hasPrefix("winback: 2999-01-01 is after today ("), "\(result.stderr)")
        #expect(result.stderr.filter { $0 == "\n" }.count == 1)
        let trend = try winback.run(["trend", "--format", "json"])
        #expect(trend.stdout == "[]\n")
    }

    @Test("before any sales or scan, listings say so on stderr and exit 0")
    func emptyStates() throws {
        let winback = try WinbackProcess()
        for command in ["alerts", "list", "clients"] {
            let result = try winback.run([command])
            #expect(result.status == 0)
            #expect(
                result.stderr == "winback: no sales stored yet: import a sales export first (winback import FILE)\n",
                "\(command)")
        }
        _ = try winback.run(["import", try winback.file("sales.csv", Self.sales)])
        for command in ["alerts", "list"] {
            let result = try winback.run([command, "--format", "json"])
            #expect(result.status == 0)
            #expect(result.stdout == "[]\n")
            #expect(result.stderr == "winback: no scan yet: run winback scan\n", "\(command)")
        }
    }

    @Test("status: a fresh state directory is stale (exit 1) with its reasons, as text and as JSON")
    func statusOfFreshState() throws {
        let winback = try WinbackProcess()
        let text = try winback.run(["status"])
        #expect(text.status == 1)
        #expect(text.stdout.contains("daemon           not running\n"))
        #expect(text.stdout.contains("last scan        none yet\n"))
        #expect(text.stdout.contains("health           STALE\n"))
        #expect(text.stdout.contains("- no sales stored yet: the feed has not started\n"))
        #expect(text.stdout.split(separator: "\n").allSatisfy { $0.count <= 80 || $0.hasPrefix("state directory") })
        let json = try winback.run(["status", "--format", "json"])
        #expect(json.status == 1)
        let object = try JSONSerialization.jsonObject(with: Data(json.stdout.utf8)) as? [String: Any]
        #expect(object?["healthy"] as? Bool == false)
        #expect((object?["problems"] as? [String])?.count == 2)
        #expect(object?["daemon_pid"] is NSNull)
        #expect((object?["open_alerts"] as? [String: Int]) == ["critical": 0, "warning": 0, "info": 0])
    }

    @Test("a bad date or choice is refused by the parser, naming the option and what it takes")
    func badOptionValues() throws {
        let winback = try WinbackProcess()
        let cases: [([String], String)] = [
            (["scan", "--as-of", "2024-02-30"], "Error: The value '2024-02-30' is invalid for '--as-of <YYYY-MM-DD>'"),
            (["alerts", "--since", "yesterday"], "Error: The value 'yesterday' is invalid for '--since <YYYY-MM-DD>'"),
            (["trend", "--by", "colour"], "Please provide one of 'category', 'region', 'manager' or 'class'."),
            (["model", "fit", "--variant", "pareto"], "Please provide one of 'bgnbd' and 'mbgnbd'."),
            (["backtest", "--from", "2025-01-01"], "Error: give either --as-of, or --from and --to"),
        ]
        for (arguments, message) in cases {
            let result = try winback.run(arguments)
            #expect(result.status == 64, "\(arguments)")
            #expect(
                result.stderr.hasPrefix("Error: ") && result.stderr.contains(message), "\(arguments): \(result.stderr)")
        }
        // The help lists every alert kind there is, from the code, not from a list that can go stale.
        let help = try winback.run(["alerts", "--help"], withConfig: false)
        for kind in AlertKind.allCases { #expect(help.stdout.contains(kind.rawValue), "\(kind)") }
    }

    @Test("model fit prints JSON with null for what did not come out a number, and CSV as CSV")
    func modelFitFormats() throws {
        let winback = try WinbackProcess()
        let path = try winback.file("sales.csv", Self.sales)
        _ = try winback.run(["import", path])
        let csv = try winback.run(["model", "fit", "--as-of", "2024-03-31", "--format", "csv"])
        #expect(
            csv.stdout.hasPrefix(
                "model,r,alpha,a,b,log_likelihood,time_unit,clients,converged,iterations,as_of\r\nbgnbd,"))
        let json = try winback.run(["model", "fit", "--as-of", "2024-03-31", "--format", "json"])
        #expect(!json.stdout.contains("nan"))
        #expect((try? JSONSerialization.jsonObject(with: Data(json.stdout.utf8))) != nil, "\(json.stdout)")
    }
}

@Suite("Working the alert list on the command line")
struct AlertCLITests {
    func scanned() throws -> WinbackProcess {
        let winback = try WinbackProcess()
        _ = try winback.run(["import", try winback.file("sales.csv", ScanCLITests.sales)])
        let scan = try winback.run(["scan", "--as-of", "2024-09-01"])
        #expect(scan.status == 0, "stderr: \(scan.stderr)")
        return winback
    }

    func alerts(_ winback: WinbackProcess, _ arguments: [String] = []) throws -> [[String: Any]] {
        let result = try winback.run(["alerts", "--format", "json"] + arguments)
        #expect(result.status == 0, "stderr: \(result.stderr)")
        return try #require(try JSONSerialization.jsonObject(with: Data(result.stdout.utf8)) as? [[String: Any]])
    }

    @Test("alerts --format json, filtered; ack, snooze and resolve work the list")
    func workTheList() throws {
        let winback = try scanned()
        let all = try alerts(winback)
        let lost = try #require(all.first { $0["kind"] as? String == "lost" && $0["client_id"] as? String == "W1" })
        #expect(lost["severity"] as? String == "critical")
        #expect((lost["explanation"] as? String)?.contains("buys every 7 days") == true)
        #expect(try alerts(winback, ["--kind", "at_risk", "--client", "O1"]).count == 1)
        #expect(try alerts(winback, ["--severity", "critical"]).allSatisfy { $0["severity"] as? String == "critical" })
        let id = try #require(lost["id"] as? Int)

        #expect(try winback.run(["ack", String(id)]).status == 0)
        #expect(try alerts(winback, ["--status", "acknowledged"]).map { $0["id"] as? Int } == [id])
        let snooze = try winback.run(["snooze", String(id), "--until", "2099-01-01"])
        #expect(snooze.status == 0, "stderr: \(snooze.stderr)")
        #expect(try alerts(winback, ["--status", "snoozed"]).first?["snoozed_until"] as? String == "2099-01-01")
        #expect(try winback.run(["resolve", String(id)]).status == 0)
        #expect(try alerts(winback).contains { $0["id"] as? Int == id } == false)
        #expect(try alerts(winback, ["--status", "all"]).contains { $0["id"] as? Int == id })

        let unknown = try winback.run(["ack", "99999"])
        #expect(unknown.status != 0)
        #expect(unknown.stderr == "winback: no alert #99999\n")
        let badKind = try winback.run(["alerts", "--kind", "gone"])
        #expect(badKind.status != 0)
        #expect(badKind.stderr.contains("--kind gone is not one of"))
    }

    @Test("list --format json ranks by value with reason and offer; trend shows counts and a chart")
    func listAndTrend() throws {
        let winback = try scanned()
        let list = try winback.run(["list", "--format", "json"])
        let rows = try #require(try JSONSerialization.jsonObject(with: Data(list.stdout.utf8)) as? [[String: Any]])
        #expect(rows.map { $0["client_id"] as? String } == ["W1", "O1"])
        #expect(rows.first?["rank"] as? Int == 1)
        #expect(rows.first?["status"] as? String == "lost")
        for key in ["client_name", "manager", "reason", "value", "offer"] {
            #expect(rows.first?.keys.contains(key) == true, "\(key)")
        }
        let values = rows.compactMap { $0["value"] as? Double }
        #expect(values == values.sorted(by: >))
        let top = try winback.run(["list", "--top", "1", "--format", "csv"])
        #expect(top.stdout.split(separator: "\r\n").count == 2, "the header and the first entry")
        #expect(top.stdout.contains("\r\n1,W1,"))
        let none = try winback.run(["list", "--top", "0"])
        #expect(none.status != 0)
        #expect(none.stderr.contains("--top"))

        let trend = try winback.run(["trend"])
        #expect(trend.status == 0)
        #expect(trend.stdout.contains("2024-09-01  all"))
        #expect(trend.stdout.contains("█"))
        let byClass = try winback.run(["trend", "--by", "class", "--format", "json"])
        let classes = try #require(
            try JSONSerialization.jsonObject(with: Data(byClass.stdout.utf8)) as? [[String: Any]])
        #expect(Set(classes.compactMap { $0["direction"] as? String }).isSubset(of: ["A", "B", "C"]))
        #expect(try winback.run(["trend", "--by", "colour"]).status != 0)
    }

    @Test("scan writes the day's outbox")
    func outbox() throws {
        let winback = try scanned()
        let folder = winback.folder.appendingPathComponent("state/outbox/2024-09-01")
        for name in ["alerts.jsonl", "alerts.csv", "winback.csv", "digest.md"] {
            #expect(FileManager.default.fileExists(atPath: folder.appendingPathComponent(name).path), "\(name)")
        }
    }

    @Test("acknowledging while a scan runs waits for it and succeeds")
    func ackDuringScan() throws {
        let winback = try WinbackProcess()
        let path = winback.folder.appendingPathComponent("big.csv").path
        _ = try winback.run(
            ["generate", "--clients", "400", "--from", "2024-01-01", "--to", "2025-06-30", "-o", path],
            withConfig: false)
        _ = try winback.run(["import", path])
        _ = try winback.run(["scan", "--as-of", "2025-05-31"])
        let id = try #require(try alerts(winback).first?["id"] as? Int)
        // A scan of another day runs in the background while the alert is acknowledged again and again.
        let scan = try Spawned(
            WinbackProcess.executable.path, ["scan", "--as-of", "2025-06-30", "--config", winback.config.path],
            environment: WinbackProcess.environment([:]))
        // Acks that began and ended while the scan was still running: those are what the test is about.
        var duringScan = 0
        while scan.isRunning {
            let ack = try winback.run(["ack", String(id)])
            #expect(ack.status == 0, "stderr: \(ack.stderr)")
            if scan.isRunning { duringScan += 1 }
        }
        #expect(scan.wait() == 0)
        print("acks during the scan: \(duringScan)")
        #expect(duringScan > 0, "the scan ended before any ack overlapped it: nothing concurrent was tested")
    }
}

@Suite("winback demo")
struct DemoCLITests {
    @Test("the demo generates, imports, scans and leaves a state directory the other commands can read")
    func demo() throws {
        let winback = try WinbackProcess()
        let directory = winback.folder.appendingPathComponent("demo").path
        let result = try winback.run(["demo", "--clients", "80", "--directory", directory], withConfig: false)
        #expect(result.status == 0, "stderr: \(result.stderr)")
        #expect(result.stdout.contains("# winback — 2025-12-31"))
        #expect(result.stdout.contains("## Win back first"))
        #expect(FileManager.default.fileExists(atPath: directory + "/outbox/2025-12-31/alerts.jsonl"))
        let list = try winback.run(["list", "--format", "json", "--state-dir", directory])
        let rows = try #require(try JSONSerialization.jsonObject(with: Data(list.stdout.utf8)) as? [[String: Any]])
        #expect(!rows.isEmpty)
        let trend = try winback.run(["trend", "--format", "json", "--state-dir", directory])
        let points = try #require(try JSONSerialization.jsonObject(with: Data(trend.stdout.utf8)) as? [[String: Any]])
        #expect(points.count == 12, "one scan at each month's end")
    }

    @Test(
        "the demo runs twice on one directory; earlier days replay without touching the live book; snooze follows the book's day"
    )
    func demoTwiceAndReplays() throws {
        let winback = try WinbackProcess()
        let directory = winback.folder.appendingPathComponent("demo").path
        let first = try winback.run(["demo", "--clients", "80", "--directory", directory], withConfig: false)
        #expect(first.status == 0, "stderr: \(first.stderr)")
        let second = try winback.run(["demo", "--clients", "80", "--directory", directory], withConfig: false)
        #expect(second.status == 0, "stderr: \(second.stderr)")
        let live = try winback.run(["alerts", "--format", "json", "--state-dir", directory]).stdout
        let list = try winback.run(["list", "--format", "json", "--state-dir", directory]).stdout
        for day in ["2025-11-30", "2025-06-30", "2025-01-31", "2025-06-30"] {
            let replay = try winback.run(["scan", "--as-of", day, "--state-dir", directory], withConfig: false)
            #expect(replay.status == 0, "\(day): \(replay.stderr)")
            #expect(replay.stdout.contains("a replay"))
            #expect(FileManager.default.fileExists(atPath: directory + "/outbox/\(day)/alerts.jsonl"))
        }
        #expect(try winback.run(["alerts", "--format", "json", "--state-dir", directory]).stdout == live)
        #expect(try winback.run(["list", "--format", "json", "--state-dir", directory]).stdout == list)
        let rows = try #require(try JSONSerialization.jsonObject(with: Data(live.utf8)) as? [[String: Any]])
        let id = try #require(rows.first?["id"] as? Int)
        let early = try winback.run(
            ["snooze", String(id), "--until", "2025-12-01", "--state-dir", directory], withConfig: false)
        #expect(early.status != 0)
        #expect(early.stderr.contains("after the latest scan's day (2025-12-31)"))
        let snooze = try winback.run(
            ["snooze", String(id), "--until", "2026-01-15", "--state-dir", directory], withConfig: false)
        #expect(snooze.status == 0, "stderr: \(snooze.stderr)")
    }
}

@Suite("model fit and backtest on the command line")
struct ModelCLITests {
    func demo() throws -> (WinbackProcess, String) {
        let winback = try WinbackProcess()
        let directory = winback.folder.appendingPathComponent("demo").path
        let result = try winback.run(["demo", "--clients", "150", "--directory", directory], withConfig: false)
        #expect(result.status == 0, "stderr: \(result.stderr)")
        return (winback, directory)
    }

    @Test("model fit --format json prints the BG/NBD parameters with alpha in days")
    func fit() throws {
        let (winback, directory) = try demo()
        let result = try winback.run([
            "model", "fit", "--as-of", "2025-12-31", "--format", "json", "--state-dir", directory,
        ])
        #expect(result.status == 0, "stderr: \(result.stderr)")
        let object = try #require(try JSONSerialization.jsonObject(with: Data(result.stdout.utf8)) as? [String: Any])
        #expect(object["model"] as? String == "bgnbd")
        #expect(object["time_unit"] as? String == "day")
        #expect(object["converged"] as? Bool == true)
        #expect(object["clients"] as? Int == 150)
        for key in ["r", "alpha", "a", "b", "log_likelihood"] { #expect(object[key] is Double, "\(key)") }
        // Three runs, three processes (each with its own hash seed): the same parameters.
        func parameters() throws -> [Double] {
            let again = try winback.run([
                "model", "fit", "--as-of", "2025-06-30", "--format", "json", "--state-dir", directory,
            ])
            let fitted = try #require(try JSONSerialization.jsonObject(with: Data(again.stdout.utf8)) as? [String: Any])
            return ["r", "alpha", "a", "b"].compactMap { fitted[$0] as? Double }
        }
        let runs = try (0..<3).map { _ in try parameters() }
        #expect(runs[0].count == 4 && runs[0] == runs[1] && runs[1] == runs[2], "\(runs)")
        let clients = try winback.run(["clients", "--format", "json", "--state-dir", directory])
        let rows = try #require(try JSONSerialization.jsonObject(with: Data(clients.stdout.utf8)) as? [[String: Any]])
        let pAlive = rows.compactMap { $0["p_alive"] as? Double }
        #expect(pAlive.count > 100)
        #expect(pAlive.allSatisfy { $0 >= 0 && $0 <= 1 })
    }

    @Test("backtest compares each criterion's flags with what happened next")
    func backtest() throws {
        let (winback, directory) = try demo()
        let result = try winback.run([
            "backtest", "--as-of", "2025-06-30", "--horizon", "90", "--format", "json", "--state-dir", directory,
        ])
        #expect(result.status == 0, "stderr: \(result.stderr)")
        let rows = try #require(try JSONSerialization.jsonObject(with: Data(result.stdout.utf8)) as? [[String: Any]])
        let names = rows.compactMap { $0["criterion"] as? String }
        #expect(names == ["overdue", "silence", "decline", "category_drop", "returns", "p_alive", "status"])
        let status = try #require(rows.last)
        let flagged = try #require(status["flagged"] as? Int)
        let correct = try #require(status["silent_in_horizon"] as? Int)
        #expect(flagged > 0 && correct <= flagged)
        #expect((status["precision"] as? Double).map { $0 > 0.3 } == true)
        // In the table: winback beside "silent N days" at the same false-alarm rate, and other limits.
        let table = try winback.run(["backtest", "--as-of", "2025-06-30", "--target", "50", "--state-dir", directory])
        #expect(table.status == 0, "stderr: \(table.stderr)")
        #expect(table.stdout.contains("winback's silence verdicts against \"silent N days\", N the shortest silence"))
        #expect(table.stdout.contains("  winback          false alarms "))
        #expect(table.stdout.split(separator: "\n").allSatisfy { $0.count <= 80 })
        #expect(table.stdout.contains("at_risk_probability limits:\n  0.05 "))
        #expect(table.stdout.contains("To keep false alarms under 50.0 % here: at_risk_probability = 0.05 or lower."))
        // Every month end of a period, one rule tuned over all of them, within 80 columns.
        let period = try winback.run([
            "backtest", "--from", "2025-01-01", "--to", "2025-06-30", "--state-dir", directory,
        ])
        #expect(period.status == 0, "stderr: \(period.stderr)")
        #expect(period.stdout.contains("Every month end from 2025-01-31 to 2025-06-30, horizon 90 days."))
        #expect(period.stdout.split(separator: "\n").filter { $0.hasPrefix("2025-") }.count == 6)
        #expect(period.stdout.contains("Over all these days:\n  winback "))
        #expect(period.stdout.split(separator: "\n").allSatisfy { $0.count <= 80 })
        let csv = try winback.run([
            "backtest", "--from", "2025-01-01", "--to", "2025-03-31", "--format", "csv", "--state-dir", directory,
        ])
        #expect(csv.stdout.hasPrefix("as_of,active_clients,false_alarms,found,rule_false_alarms,rule_found,rule_days"))
        let both = try winback.run([
            "backtest", "--as-of", "2025-06-30", "--from", "2025-01-01", "--state-dir", directory,
        ])
        #expect(both.status != 0)
        #expect(both.stderr.contains("give either --as-of, or --from and --to"))
        let late = try winback.run(["backtest", "--as-of", "2025-12-01", "--horizon", "90", "--state-dir", directory])
        #expect(late.status != 0)
        #expect(late.stderr.contains("what happened next is not known yet"))
    }
}

@Suite("Permissions")
struct PermissionTests {
    @Test("the state directory and the database are the owner's and the group's, whatever the umask; nobody else's")
    func modes() throws {
        let winback = try WinbackProcess()
        let old = umask(0o022)
        defer { umask(old) }
        let result = try winback.run(["clients"])
        #expect(result.status == 0, "stderr: \(result.stderr)")
        func mode(_ path: String) -> mode_t {
            var info = stat()
            stat(winback.folder.appendingPathComponent(path).path, &info)
            return info.st_mode & 0o7777
        }
        for folder in ["state", "state/inbox", "state/archive", "state/rejected", "state/outbox"] {
            #expect(mode(folder) == 0o2770, "\(folder): \(String(mode(folder), radix: 8))")
        }
        #expect(mode("state/winback.sqlite") == 0o660)
        _ = try winback.run(["scan", "--as-of", "2024-01-01"])
        #expect(mode("state/outbox/2024-01-01/alerts.csv") & 0o007 == 0, "the outbox is not world-readable")
        #expect(mode("state/outbox/2024-01-01") == 0o2770, "another operator's scan can replace the day's files")
    }
}

@Suite("Errors reach people as one line")
struct OneLineErrorTests {
    @Test("a damaged database is one line, without SQL")
    func damagedDatabase() throws {
        let winback = try WinbackProcess()
        _ = try winback.run(["clients"])
        let database = winback.folder.appendingPathComponent("state/winback.sqlite")
        try Data(repeating: 0x41, count: 8192).write(to: database)
        for command in [["clients"], ["alerts"], ["scan", "--as-of", "2024-01-01"]] {
            let result = try winback.run(command)
            #expect(result.status != 0)
            #expect(result.stderr.filter { $0 == "\n" }.count == 1, "\(command): \(result.stderr)")
            #expect(result.stderr.hasPrefix("winback: database error: "), "\(command): \(result.stderr)")
            #expect(!result.stderr.contains("SELECT") && !result.stderr.contains("PRAGMA"))
        }
    }

    @Test("control characters from data never reach the terminal or the spreadsheet raw")
    func noRawControls() throws {
        let winback = try WinbackProcess()
        var rows = ["date,client_id,client_name,document,line,amount,category"]
        var day = Day(iso: "2024-01-01")!
        var number = 0
        while day <= Day(iso: "2024-06-30")! {
            number += 1
            rows.append("\(day.iso),E1,\"Evil\u{1b}[2J\rname\",E-\(number),1,100,\"Tools\u{1b}[31m\nred\"")
            if number % 2 == 0 { rows.append("\(day.iso),E1,\"Evil\u{1b}[2J\rname\",E-\(number),2,50,Glue") }
            day = day.adding(days: 7)
        }
        rows.append("2024-09-30,S1,Steady,S-1,1,5,Tools")
        _ = try winback.run(["import", try winback.file("evil.csv", rows.joined(separator: "\n") + "\n")])
        _ = try winback.run(["scan", "--as-of", "2024-09-30"])
        let story = try winback.run(["client", "E1"])
        #expect(story.status == 0, "\(story.stderr)")
        #expect(!story.stdout.unicodeScalars.contains { $0.value == 0x1b || $0 == "\r" })
        let csv = try String(
            contentsOf: winback.folder.appendingPathComponent("state/outbox/2024-09-30/alerts.csv"), encoding: .utf8)
        #expect(!csv.unicodeScalars.contains { $0.value == 0x1b })
        #expect(csv.contains("Evil\\u{1b}[2J"))
    }
}
