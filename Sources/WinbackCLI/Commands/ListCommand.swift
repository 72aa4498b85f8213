import WinbackReports
import ArgumentParser
import WinbackCore
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

    func run() throws {
        let (_, database) = try global.open()
        var rows = try database.winbackList()
        if rows.isEmpty, let state = try emptyState(database) { note(state) }
        if let top { rows = Array(rows.prefix(top)) }
        print(Listings.winback(rows, format: format).render(format), terminator: "")
    }
}
