import WinbackReports
import ArgumentParser
import WinbackCore
import WinbackStore

/// `winback clients`: every client with its purchases and what the latest scan said, by revenue.
struct ClientsCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "clients",
        abstract: "List every client: status, class, share, rhythm, last and expected next purchase.",
        discussion: "Status, classes and rhythm are the latest scan's; run `winback scan` first.")

    @OptionGroup var global: GlobalOptions

    @Option(help: "Output format: table, json or csv.")
    var format: OutputFormat = .table

    func run() throws {
        let (config, database) = try global.open()
        let clients = try database.clientSummaries()
        if clients.isEmpty || clients.allSatisfy({ $0.state == nil }), let state = try emptyState(database) { note(state) }
        print(Listings.clients(clients, format: format).render(format, locale: config.locale), terminator: "")
    }
}
