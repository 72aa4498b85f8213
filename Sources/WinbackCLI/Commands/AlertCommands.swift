import WinbackReports
import ArgumentParser
import Foundation
import WinbackCore
import WinbackStore

/// `winback alerts`: the alert list, filtered.
struct AlertsCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "alerts",
        abstract: "List alerts: by default every one not yet resolved, most severe first.")

    @OptionGroup var global: GlobalOptions

    @Option(help: ArgumentHelp("\(choices(AlertStatus.allCases, "all")) (comma-separated for several)."))
    var status: String?

    @Option(help: ArgumentHelp("\(choices(Severity.allCases)) (comma-separated for several)."))
    var severity: String?

    @Option(help: ArgumentHelp("\(choices(AlertKind.allCases)) (comma-separated for several)."))
    var kind: String?

    @Option(help: "Only this manager's clients.")
    var manager: String?

    @Option(help: ArgumentHelp("Only this client.", valueName: "id"))
    var client: String?

    @Option(help: ArgumentHelp("Only alerts raised on or after this day.", valueName: "YYYY-MM-DD"))
    var since: Day?

    @Option(help: "Output format: table, json or csv.")
    var format: OutputFormat = .table

    func run() throws {
        let (config, database) = try global.open()
        var filter = AlertFilter(manager: manager, clientID: client, since: since)
        if let status, status != "all" { filter.statuses = try list(status, AlertStatus.init(rawValue:), "--status") }
        if status == "all" { filter.statuses = AlertStatus.allCases }
        if let severity { filter.severities = try list(severity, Severity.init(rawValue:), "--severity") }
        if let kind { filter.kinds = try list(kind, AlertKind.init(rawValue:), "--kind") }
        let alerts = try database.alerts(filter)
        if alerts.isEmpty, let state = try emptyState(database) { note(state) }
        print(Listings.alerts(alerts, format: format).render(format, locale: config.locale), terminator: "")
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

/// Comma-separated values of an enumeration, or a usage error naming the option and the choices.
func list<T: CaseIterable & RawRepresentable>(_ text: String, _ make: (String) -> T?, _ option: String) throws -> [T]
where T.RawValue == String {
    try text.split(separator: ",").map { part in
        let value = part.trimmingCharacters(in: .whitespaces)
        guard let parsed = make(value) else {
            throw ValidationError(
                "\(option) \(value) is not one of \(T.allCases.map(\.rawValue).joined(separator: ", "))")
        }
        return parsed
    }
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
