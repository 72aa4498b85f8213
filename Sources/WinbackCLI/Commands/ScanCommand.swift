import ArgumentParser
import Foundation
import WinbackConfig
import WinbackCore
import WinbackOutbox
import WinbackReports
import WinbackRuntime
import WinbackScan
import WinbackStore

/// `winback scan [--as-of DATE]`: evaluates every client as of a day and stores the results.
struct ScanCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "scan",
        abstract: "Evaluate every client as of a day: rhythm, criteria, status, classes.",
        discussion: """
            Only sales dated on or before the day count, so any past day can be replayed. Scanning a day \
            again replaces that day's results. Without --as-of, the day is today in the configured time zone.
            """)

    @OptionGroup var global: GlobalOptions

    @Option(name: .customLong("as-of"), help: ArgumentHelp("The day to evaluate as of.", valueName: "YYYY-MM-DD"))
    var asOf: Day?

    @Flag(help: "Print how long each stage of the scan took.")
    var timings = false

    @Flag(name: .customLong("no-notify"), help: "Do not run the config's [notify] command after this scan.")
    var noNotify = false

    func run() throws {
        let (config, database) = try global.open()
        let day = asOf ?? config.today()
        let job = ScanJob(
            database: database, settings: config.churn,
            outbox: Outbox(directory: StateDirectory(root: config.stateDirectory).outbox, locale: config.locale),
            today: { config.today() }, notify: noNotify ? NotifySettings() : config.notify)
        do {
            let result = try job.run(asOf: day)
            print(Self.describe(result.summary, seconds: result.seconds))
            print("  outbox: \(result.folder)")
            if let notification = result.notification {
                print("  notify: " + (notification.failure.map { "FAILED: " + $0 } ?? "done"))
            }
            if timings {
                for stage in result.summary.stages {
                    print(
                        "  \(stage.name.padding(toLength: 26, withPad: " ", startingAt: 0)) \(String(format: "%7.3f", stage.seconds)) s"
                    )
                }
            }
        } catch let failure as ScanJob.Failure {
            throw CommandFailure(reason: failure.description)
        }
    }

    static func describe(_ summary: ScanSummary, seconds: Double) -> String {
        var lines = [
            "scanned \(summary.clients) clients as of \(summary.asOf.iso) in \(String(format: "%.2f", seconds)) s",
            "  data: \(summary.feed.summary)",
        ]
        if summary.replay {
            lines.append(
                "  a replay: later days were scanned before, so the live alerts, list and statuses stay as they are;"
                    + " this day's outbox shows what it found")
        }
        for status in ClientStatus.allCases {
            let count = summary.statuses[status, default: 0]
            let changed = summary.changedTo[status, default: 0]
            lines.append(
                "  \(status.rawValue.padding(toLength: 9, withPad: " ", startingAt: 0)) \(String(count).leftPadded(to: 7, with: " "))"
                    + (changed > 0 ? "  (\(changed) new)" : ""))
        }
        let findings = Criterion.allCases.compactMap { criterion -> String? in
            let count = summary.findings[criterion, default: 0]
            return count > 0 ? "\(criterion.rawValue) \(count)" : nil
        }
        if !findings.isEmpty { lines.append("  findings: " + findings.joined(separator: ", ")) }
        return lines.joined(separator: "\n")
    }
}
