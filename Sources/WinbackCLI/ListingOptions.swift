import ArgumentParser
import Foundation
import WinbackCore
import WinbackReports
import WinbackStore

/// The filters `alerts`, `list` and `clients` share: whose clients, where, which class. `--status` and `--category`
/// mean something of their own in each listing and are declared there.
struct ClientFilterOptions: ParsableArguments {
    @Option(help: "Only this manager's clients (case and accents ignored: \"eva novak\" finds \"Eva Novák\").")
    var manager: String?

    @Option(help: "Only clients of this region (case and accents ignored).")
    var region: String?

    @Option(
        help: ArgumentHelp(
            "Only clients of this ABC class: \(choices(ABCClass.allCases)) (comma-separated for several).",
            valueName: "class"),
        transform: { try values($0, of: ABCClass.self, option: "--abc") })
    var abc: [ABCClass]?

    /// The filter, with a listing's own `statuses` (of the client) and `category` (a category it bought).
    func filter(statuses: [ClientStatus]? = nil, category: String? = nil) -> ClientFilter {
        ClientFilter(manager: manager, region: region, abc: abc, statuses: statuses, category: category)
    }

    /// These filters as options and values, for a note that they matched nothing.
    var given: [(option: String, value: String?)] {
        [("--manager", manager), ("--region", region), ("--abc", joined(abc))]
    }
}

/// `--status` and `--category` as the client listings (`list`, `clients`) mean them: the client's status, and a
/// category the client bought (`alerts` has its own: the alert's status, alerts about the category).
struct ClientStatusOptions: ParsableArguments {
    @Option(
        help: ArgumentHelp(
            "Only clients with this status: \(choices(ClientStatus.allCases)) (comma-separated for several).",
            valueName: "status"),
        transform: { try values($0, of: ClientStatus.self, option: "--status") })
    var status: [ClientStatus]?

    @Option(help: "Only clients that have bought in this category, on any day stored (case and accents ignored).")
    var category: String?

    /// `clients` with these two added.
    func filter(_ clients: ClientFilterOptions) -> ClientFilter {
        clients.filter(statuses: status, category: category)
    }

    /// These filters as options and values, for a note that they matched nothing.
    var given: [(option: String, value: String?)] { [("--status", joined(status)), ("--category", category)] }
}

/// `--wide`, and the fit a table gets from the terminal without it.
struct TableOptions: ParsableArguments {
    @Flag(help: "Show every column, and every text whole, however wide the terminal.")
    var wide = false

    /// How a table meets standard output: `--wide`, or the width of the terminal (see ``Terminal``).
    var fit: TableFit {
        wide ? .everything : TableFit(width: Terminal.standardOutput().width)
    }

    /// Above a table on a terminal, the day its numbers are as of (the latest scan's): what a person asks first.
    /// Not in JSON or CSV (their rows carry it where it differs), nor in a table read by a program.
    func caption(_ database: AppDatabase, format: OutputFormat) throws {
        guard format == .table, Terminal.standardOutput().isTerminal, let scan = try database.latestScan() else {
            return
        }
        print("as of \(Day(number: scan.asOf).iso) (the latest scan)\n")
    }
}

/// Comma-separated values of an enumeration, in any case, or a usage error naming the option and the choices.
func values<T: CaseIterable & RawRepresentable>(_ text: String, of type: T.Type, option: String) throws -> [T]
where T.RawValue == String {
    let parts = text.split(separator: ",").filter { !$0.trimmingCharacters(in: .whitespaces).isEmpty }
    guard !parts.isEmpty else {
        throw ValidationError("\(option) needs one or more of \(T.allCases.map(\.rawValue).joined(separator: ", "))")
    }
    return try parts.map { part in
        let value = part.trimmingCharacters(in: .whitespaces)
        guard let parsed = T.allCases.first(where: { $0.rawValue.lowercased() == value.lowercased() }) else {
            throw ValidationError(
                "\(option) \(value) is not one of \(T.allCases.map(\.rawValue).joined(separator: ", "))")
        }
        return parsed
    }
}

/// Values as they are typed after an option: `at_risk,lost`.
func joined<T: RawRepresentable>(_ values: [T]?) -> String? where T.RawValue == String {
    values.map { $0.map(\.rawValue).joined(separator: ",") }
}

/// Says on stderr that the filters given matched nothing, when they did: an empty listing is an answer, not an error.
func noteIfFilteredEmpty(_ isEmpty: Bool, _ what: String, _ filters: [(option: String, value: String?)]) {
    let given = filters.compactMap { option, value in value.map { "\(option) \"\($0)\"" } }
    if isEmpty, !given.isEmpty { note("no \(what) match \(given.joined(separator: " "))") }
}
