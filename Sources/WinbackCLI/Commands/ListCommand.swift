import ArgumentParser
import WinbackCore
import WinbackReports
import WinbackStore

/// `winback list`: who to win back, why, what it is worth, and the suggested offer.
struct ListCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "list",
        abstract: "The win-back list: at-risk and lost clients by what they were worth, with an offer each.",
        discussion: """
            Filters combine; text is matched whole, ignoring case and accents. A table fits the terminal's width \
            (less important columns give way, long text wraps within its cell); --wide shows every column.
            """)

    @OptionGroup var global: GlobalOptions

    @OptionGroup var clients: ClientFilterOptions

    @OptionGroup var client: ClientStatusOptions

    @Option(help: "Output format: table, json or csv.")
    var format: OutputFormat = .table

    @Option(help: "Show only the first N (of those the filters keep).")
    var top: Int?

    @OptionGroup var table: TableOptions

    func validate() throws {
        if let top, top < 1 { throw ValidationError("--top takes a number of entries, 1 or more (not \(top))") }
    }

    func run() throws {
        let (config, database) = try global.open()
        let rows = try database.winbackList(limit: top, filter: client.filter(clients))
        if rows.isEmpty, let state = try emptyState(database) {
            note(state)
        } else {
            noteIfFilteredEmpty(rows.isEmpty, "entries of the win-back list", filters)
        }
        if !rows.isEmpty { try table.caption(database, format: format) }
        try writeOut(
            Listings.winback(rows, format: format).chunks(format, locale: config.locale, fit: table.fit))
    }

    private var filters: [(option: String, value: String?)] {
        clients.given + client.given
    }
}
