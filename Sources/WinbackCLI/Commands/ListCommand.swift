import ArgumentParser
import WinbackCore
import WinbackReports
import WinbackStore

/// `winback list`: who to win back, why, what it is worth, and the suggested offer.
struct ListCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "list",
        abstract: "The win-back list: at-risk and lost clients by what they were worth, with an offer each.")

    @OptionGroup var global: GlobalOptions

    @Option(help: "Output format: table, json or csv.")
    var format: OutputFormat = .table

    @Option(help: "Show only the first N.")
    var top: Int?

    func validate() throws {
        if let top, top < 1 { throw ValidationError("--top takes a number of entries, 1 or more (not \(top))") }
    }

    func run() throws {
        let (config, database) = try global.open()
        let rows = try database.winbackList(limit: top)
        if rows.isEmpty, let state = try emptyState(database) { note(state) }
        print(Listings.winback(rows, format: format).render(format, locale: config.locale), terminator: "")
    }
}
