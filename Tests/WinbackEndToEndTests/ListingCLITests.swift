import Foundation
import Testing
import WinbackCore
import WinbackTestSupport

@Suite("Filtered listings on the command line")
struct ListingCLITests {
    /// W1 (Eva Novák) stopped buying weekly in May; M1 (Anna Berg) buys monthly; O1 (Eva Novák) bought once; scanned
    /// on 2024-09-01.
    static func scanned() throws -> WinbackProcess {
        var rows = ["date,client_id,client_name,document,line,amount,category,manager,region"]
        var day = Day(iso: "2024-01-03")!
        while day <= Day(iso: "2024-05-01")! {
            rows.append("\(day.iso),W1,Weekly Ltd,W-\(day.iso),1,100,Tools,Eva Novák,Jihomoravský kraj")
            day = day.adding(days: 7)
        }
        day = Day(iso: "2024-01-10")!
        while day <= Day(iso: "2024-08-20")! {
            rows.append("\(day.iso),M1,Monthly AG,M-\(day.iso),1,400,Bearings,Anna Berg,Wien")
            day = day.adding(days: 30)
        }
        rows.append("2024-02-01,O1,Once Oy,O-1,1,50,Tools,Eva Novák,Wien")
        let winback = try WinbackProcess()
        _ = try winback.run(["import", try winback.file("sales.csv", rows.joined(separator: "\n") + "\n")])
        let scan = try winback.run(["scan", "--as-of", "2024-09-01"])
        #expect(scan.status == 0, "stderr: \(scan.stderr)")
        return winback
    }

    func json(_ result: WinbackProcess.Result) throws -> [[String: Any]] {
        #expect(result.status == 0, "stderr: \(result.stderr)")
        return try #require(try JSONSerialization.jsonObject(with: Data(result.stdout.utf8)) as? [[String: Any]])
    }

    @Test("list, clients and alerts by manager, whatever the case and accents, combined with other filters")
    func byManager() throws {
        let winback = try Self.scanned()
        let list = try json(winback.run(["list", "--manager", "eva novak", "--format", "json"]))
        #expect(list.map { $0["client_id"] as? String } == ["W1", "O1"])
        let lost = try json(winback.run(["list", "--manager", "EVA NOVAK", "--status", "LOST", "--format", "json"]))
        #expect(lost.map { $0["client_id"] as? String } == ["W1"])
        let clients = try json(winback.run(["clients", "--region", "wien", "--category", "tools", "--format", "json"]))
        #expect(clients.map { $0["client_id"] as? String } == ["O1"])
        let alerts = try json(winback.run(["alerts", "--manager", "Eva Novák", "--format", "json"]))
        #expect(!alerts.isEmpty)
        #expect(alerts.allSatisfy { $0["manager"] as? String == "Eva Novák" })
        let csv = try winback.run(["clients", "--manager", "anna berg", "--format", "csv"])
        #expect(csv.stdout.split(separator: "\r\n").count == 2, "the header and M1: \(csv.stdout)")
    }

    @Test(
        "a table on a terminal says which day it is as of; a table read by a program, JSON and CSV do not",
        .enabled(if: FileManager.default.isExecutableFile(atPath: "/usr/bin/script")))
    func asOfOnTerminal() throws {
        let winback = try Self.scanned()
        for command in ["list", "alerts", "clients"] {
            // script(1) gives the command a terminal, as a person's shell would.
            let line = "stty cols 100; \(WinbackProcess.executable.path) \(command) --config \(winback.config.path)"
            let terminal = try Spawned(
                "/usr/bin/script", ["-qec", line, "/dev/null"], environment: WinbackProcess.environment([:]))
            #expect(terminal.wait() == 0)
            #expect(terminal.stdout.hasPrefix("as of 2024-09-01 (the latest scan)\r\n\r\n"), "\(terminal.stdout)")
            for format in ["table", "json", "csv"] {
                let piped = try winback.run([command, "--format", format])
                #expect(piped.status == 0 && !piped.stdout.contains("as of 2024"), "\(command) --format \(format)")
            }
        }
    }

    @Test(
        "a listing that cannot be written (a full disk) fails the command and says why",
        .enabled(if: FileManager.default.fileExists(atPath: "/dev/full")))
    func fullDisk() throws {
        let winback = try Self.scanned()
        for command in ["list", "alerts", "clients --format json"] {
            let line = "\(WinbackProcess.executable.path) \(command) --config \(winback.config.path) > /dev/full"
            let shell = try Spawned("/bin/sh", ["-c", line], environment: WinbackProcess.environment([:]))
            #expect(shell.wait() == 1, "\(command)")
            #expect(shell.stderr == "winback: standard output: No space left on device\n", "\(command)")
        }
    }

    @Test("filters that match nothing print an empty listing and say so on stderr; a wrong choice is refused")
    func nothingAndWrong() throws {
        let winback = try Self.scanned()
        let none = try winback.run(["list", "--manager", "Nobody", "--format", "json"])
        #expect(none.status == 0)
        #expect(none.stdout == "[]\n")
        #expect(none.stderr == "winback: no entries of the win-back list match --manager \"Nobody\"\n")
        let wrong = try winback.run(["clients", "--status", "gone"])
        #expect(wrong.status != 0)
        #expect(wrong.stderr.contains("--status gone is not one of new, active, at_risk, lost, won_back"))
        let abc = try winback.run(["alerts", "--abc", "D"])
        #expect(abc.status != 0)
        #expect(abc.stderr.contains("--abc D is not one of A, B, C"))
        let empty = try winback.run(["list", "--status", ""])
        #expect(empty.status != 0, "an empty choice is a mistake, not a filter that matches nothing")
        #expect(empty.stderr.contains("--status needs one or more of new, active, at_risk, lost, won_back"))
    }

    @Test("$COLUMNS fits a table to 80 columns; without it output to a program is one line a row; --wide has it all")
    func widths() throws {
        let winback = try Self.scanned()
        for command in ["alerts", "list", "clients", "trend"] {
            let fitted = try winback.run([command], environment: ["COLUMNS": "80"])
            #expect(fitted.status == 0, "stderr: \(fitted.stderr)")
            let lines = fitted.stdout.split(separator: "\n")
            #expect(lines.allSatisfy { $0.count <= 80 }, "\(command) at 80:\n\(fitted.stdout)")
            #expect(!fitted.stdout.contains("\u{1b}"), "no escape codes into a pipe")
        }
        let alerts = try winback.run(["alerts"], environment: ["COLUMNS": "80"])
        #expect(
            alerts.stdout.split(separator: "\n").first?.split(separator: " ") == [
                "id", "severity", "status", "title", "value",
            ])
        let count = try json(winback.run(["alerts", "--format", "json"])).count
        let piped = try winback.run(["alerts"], environment: ["COLUMNS": ""])
        #expect(piped.stdout.split(separator: "\n").count == 2 + count, "one line a row:\n\(piped.stdout)")
        #expect(piped.stdout.split(separator: "\n").first?.contains("snoozed to") == true, "every default column")
        let wide = try winback.run(["alerts", "--wide"], environment: ["COLUMNS": "80"])
        #expect(wide.stdout.split(separator: "\n").count == 2 + count)
        #expect(wide.stdout.contains("explanation") && wide.stdout.contains("buys every 7 days"))
    }
}
