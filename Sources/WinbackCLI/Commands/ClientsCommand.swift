import ArgumentParser
import WinbackCore
import WinbackReports
import WinbackStore

/// `winback clients`: every client with its purchases and what the latest scan said, by revenue.
struct ClientsCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "clients",
        abstract: "List every client: status, class, share, rhythm, last and expected next purchase.",
        discussion: """
            Status, classes and rhythm are the latest scan's; run `winback scan` first. Filters combine; text is \
            matched whole, ignoring case and accents. A table fits the terminal's width (less important columns \
            give way); --wide shows every column.
            """)

    @OptionGroup var global: GlobalOptions

    @OptionGroup var clients: ClientFilterOptions

    @OptionGroup var client: ClientStatusOptions

    @Option(help: "Output format: table, json or csv.")
    var format: OutputFormat = .table

    @OptionGroup var table: TableOptions

    func run() throws {
        let (config, database) = try global.open()
        let found = try database.clientSummaries(client.filter(clients))
        if found.isEmpty || found.allSatisfy({ $0.state == nil }), let state = try emptyState(database) {
            note(state)
        } else {
            noteIfFilteredEmpty(found.isEmpty, "clients", filters)
        }
        if !found.isEmpty { try table.caption(database, format: format) }
        try writeOut(
            Listings.clients(found, format: format).chunks(format, locale: config.locale, fit: table.fit))
    }

    private var filters: [(option: String, value: String?)] {
        clients.given + client.given
    }
}
