import ArgumentParser
import Foundation
import WinbackCore
import WinbackReports
import WinbackStore

/// `winback alerts`: the alert list, filtered.
struct AlertsCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "alerts",
        abstract: "List alerts: by default every one not yet resolved, most severe first.",
        discussion: """
            Filters combine; text is matched whole, ignoring case and accents. A table fits the terminal's width \
            (less important columns give way, a long title wraps within its cell); --wide shows every column, \
            the explanation and the offer too.
            """)

    @OptionGroup var global: GlobalOptions

    @Option(
        help: ArgumentHelp(
            "The alert's status: \(choices(AlertStatus.allCases, "all")) (comma-separated for several).",
            valueName: "status"),
        transform: {
            $0.lowercased() == "all" ? AlertStatus.allCases : try values($0, of: AlertStatus.self, option: "--status")
        })
    var status: [AlertStatus]?

    @Option(
        help: ArgumentHelp("\(choices(Severity.allCases)) (comma-separated for several).", valueName: "severity"),
        transform: { try values($0, of: Severity.self, option: "--severity") })
    var severity: [Severity]?

    @Option(
        help: ArgumentHelp("\(choices(AlertKind.allCases)) (comma-separated for several).", valueName: "kind"),
        transform: { try values($0, of: AlertKind.self, option: "--kind") })
    var kind: [AlertKind]?

    @OptionGroup var clients: ClientFilterOptions

    @Option(help: "Only alerts about this category: a category_drop of it (case and accents ignored).")
    var category: String?

    @Option(help: ArgumentHelp("Only this client.", valueName: "id"))
    var client: String?

    @Option(help: ArgumentHelp("Only alerts raised on or after this day.", valueName: "YYYY-MM-DD"))
    var since: Day?

    @Option(help: "Output format: table, json or csv.")
    var format: OutputFormat = .table

    @OptionGroup var table: TableOptions

    func run() throws {
        let (config, database) = try global.open()
        let filter = AlertFilter(
            statuses: status, severities: severity, kinds: kind, clients: clients.filter(), clientID: client,
            category: category, since: since)
        let alerts = try database.alerts(filter)
        if alerts.isEmpty, let state = try emptyState(database) {
            note(state)
        } else {
            noteIfFilteredEmpty(alerts.isEmpty, "alerts", filters)
        }
        if !alerts.isEmpty { try table.caption(database, format: format) }
        try writeOut(
            Listings.alerts(alerts, format: format).chunks(format, locale: config.locale, fit: table.fit))
    }

    private var filters: [(option: String, value: String?)] {
        [("--status", joined(status)), ("--severity", joined(severity)), ("--kind", joined(kind))] + clients.given
            + [("--category", category), ("--client", client), ("--since", since?.iso)]
    }
}

/// Why a listing is empty when the truth is not "nothing to report": no sales stored yet, or no scan yet.
func emptyState(_ database: AppDatabase) throws -> String? {
    if try !database.hasSales() {
        return "no sales stored yet: import a sales export first (winback import FILE)"
    }
    if try database.latestScan() == nil { return "no scan yet: run winback scan" }
    return nil
}

/// A remark for the person at the terminal, on stderr, so that scripts reading stdout get only the data.
func note(_ text: String) {
    FileHandle.standardError.write(Data("winback: \(text)\n".utf8))
}

/// `winback ack ID...`
struct AckCommand: ParsableCommand {
    static let configuration = CommandConfiguration(commandName: "ack", abstract: "Acknowledge alerts.")
    @OptionGroup var global: GlobalOptions
    @Argument(help: "Alert ids.") var ids: [Int64]

    func run() throws {
        let (_, database) = try global.open()
        try perform { try database.acknowledge(ids) }
        print("acknowledged \(ids.map { "#\($0)" }.joined(separator: ", "))")
    }
}

/// `winback snooze ID --until DATE`
struct SnoozeCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "snooze", abstract: "Snooze an alert until a day; the first scan on or after it wakes it.")
    @OptionGroup var global: GlobalOptions
    @Argument(help: "Alert id.") var id: Int64
    @Option(help: ArgumentHelp("The day it wakes.", valueName: "YYYY-MM-DD")) var until: Day

    func run() throws {
        let (config, database) = try global.open()
        let day = until
        // The book's day is its latest scan's, which may lag behind the calendar (a replayed or demo book).
        let bookDay = try database.latestScan().map { Day(number: $0.asOf) } ?? config.today()
        guard day > bookDay else {
            throw ValidationError("--until must be after the latest scan's day (\(bookDay.iso))")
        }
        try perform { try database.snooze(id, until: day) }
        print("snoozed #\(id) until \(day.iso)")
    }
}

/// `winback resolve ID...`
struct ResolveCommand: ParsableCommand {
    static let configuration = CommandConfiguration(commandName: "resolve", abstract: "Resolve alerts.")
    @OptionGroup var global: GlobalOptions
    @Argument(help: "Alert ids.") var ids: [Int64]

    func run() throws {
        let (config, database) = try global.open()
        try perform { try database.resolve(ids, on: config.today()) }
        print("resolved \(ids.map { "#\($0)" }.joined(separator: ", "))")
    }
}

/// Runs an alert action, turning its refusal into a one-line failure.
private func perform(_ action: () throws -> Void) throws {
    do {
        try action()
    } catch let error as AlertActionError {
        throw CommandFailure(reason: error.description)
    }
}
