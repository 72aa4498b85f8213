import ArgumentParser
import Foundation
import WinbackConfig
import WinbackCore
import WinbackImport
import WinbackOutbox
import WinbackReports
import WinbackRuntime
import WinbackScan
import WinbackSimulation
import WinbackStore

/// `winback demo`: a self-contained tour on generated data, in a temporary state directory.
struct DemoCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "demo",
        abstract: "A tour on generated data: a year of sales for a few hundred clients, scanned, in a temporary state directory.",
        discussion: """
            Generates a wholesaler's year of sales (with clients that stop, slow down, decline, drop a \
            category or come back), its clients and contacts files; imports them, scans at every month's end, \
            and prints the morning digest and the top of the win-back list. Uses the config's criteria when a \
            config file is found, the defaults otherwise; never its state directory.
            """)

    @Option(help: "How many clients.")
    var clients = 300

    @Option(name: .customLong("as-of"), help: ArgumentHelp("The last day of the generated year.", valueName: "YYYY-MM-DD"))
    var asOf = "2025-12-31"

    @Option(help: ArgumentHelp("Keep the demo here instead of a new temporary directory.", valueName: "dir"))
    var directory: String?

    @Option(help: ArgumentHelp("The config file whose criteria to use.", valueName: "file"))
    var config: String?

    func run() throws {
        guard let end = Day(iso: asOf) else { throw ValidationError("--as-of must be a date as YYYY-MM-DD") }
        var settings = ChurnSettings()
        if let path = try? ConfigLoader.locate(explicit: config) {
            do {
                settings = try ConfigLoader.load(path: path).churn
            } catch let error as ConfigError {
                throw CommandFailure(reason: error.description)
            }
        }
        let root = try directory ?? makeTemporaryDirectory()
        let state = StateDirectory(root: root)
        try state.prepare()
        let database = try AppDatabase.open(path: state.databasePath)

        // A year of history, and the year before it so that year-on-year comparisons have something to compare.
        let start = end.adding(days: -729)
        // A realistic book: working days only, a shutdown at the turn of the year, an August of slipping orders,
        // seasonal, irregular and project buyers, and clients that leave, slow down or decline.
        let generator = RealisticBook(RealisticScenario(clients: clients, start: start, end: end, seed: 2025))
        let exports = root + "/exports"
        try FileManager.default.createDirectory(atPath: exports, withIntermediateDirectories: true)
        var text = SalesCSVFormat.semicolon.header
        var lines = 0
        generator.generate { line in
            text += SalesCSVFormat.semicolon.line(line)
            lines += 1
        }
        let master = MasterDataGenerator(generator)
        let files = [
            ("sales.csv", text), ("clients.csv", master.clientsCSV()), ("contacts.csv", master.contactsCSV()),
        ]
        let importer = Importer(database: database, settings: ImportSettings(), today: { end })
        print("Generated \(lines) sales lines of \(clients) clients from \(start.iso) to \(end.iso).")
        for (name, content) in files {
            let path = exports + "/" + name
            try content.write(toFile: path, atomically: true, encoding: .utf8)
            let imported = try importer.importFile(at: path)
            print("Imported \(name): \(imported.inserted) rows.")
        }

        // Scan at every month's end of the last year, as the daemon would have, so the trend has a history.
        let job = ScanJob(database: database, settings: settings, outbox: Outbox(directory: state.outbox), today: { end })
        var (year, month, _) = end.adding(days: -334).components
        var last: ScanJob.Result
        while true {
            let monthEnd = min(end, Day(year: year, month: month, day: Day.daysInMonth(year: year, month: month))!)
            do {
                last = try job.run(asOf: monthEnd)
            } catch let failure as ScanJob.Failure {
                throw CommandFailure(reason: failure.description)
            }
            if monthEnd == end { break }
            (year, month) = month == 12 ? (year + 1, 1) : (year, month + 1)
        }
        let summary: ScanSummary? = last.summary
        let folder = last.folder
        print("Scanned at each month's end; the last scan, as of \(end.iso):")
        if let summary { print(ScanCommand.describe(summary, seconds: 0).split(separator: "\n").dropFirst().joined(separator: "\n")) }
        print("")
        print(try String(contentsOfFile: folder + "/digest.md", encoding: .utf8))
        print("The files of the day are in \(folder)/:")
        print("digest.md and digest.html (open it in a browser), alerts.csv, winback.csv,")
        print("alerts.jsonl, and managers/NAME/ with each manager's own digest and CSVs.")
        // The binary as it was started (`swift run` starts it by its full path), so the hints run as printed.
        let me = CommandLine.arguments.first.flatMap { $0.contains("/") ? $0 : nil } ?? "winback"
        print("Look around with --state-dir \(root):")
        for command in [
            "alerts --severity critical", "list --top 10", "trend --by category",
            "client \(generator.clients[0].id)", "clients --format csv",
        ] {
            print("  \(me) \(command) --state-dir \(root)")
        }
    }

    private func makeTemporaryDirectory() throws -> String {
        let base = FileManager.default.temporaryDirectory.appendingPathComponent("winback-demo-\(UUID().uuidString.prefix(8))")
        try FileManager.default.createDirectory(at: base, withIntermediateDirectories: true)
        return base.path
    }
}
