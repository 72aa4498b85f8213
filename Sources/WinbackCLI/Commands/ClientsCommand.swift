import ArgumentParser
import WinbackStore

/// `winback clients`: every client with its purchases, by revenue.
struct ClientsCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "clients",
        abstract: "List every client: manager, region, first and last purchase, documents, revenue.")

    @OptionGroup var global: GlobalOptions

    @Option(help: "Output format: table, json or csv.")
    var format: OutputFormat = .table

    func run() throws {
        let (_, database) = try global.open()
        let clients = try database.clientSummaries()
        var report = Report(columns: [
            .init(key: "client_id", header: "client"),
            .init(key: "client_name", header: "name"),
            .init(key: "manager", header: "manager"),
            .init(key: "region", header: "region"),
            .init(key: "first_purchase", header: "first"),
            .init(key: "last_purchase", header: "last"),
            .init(key: "documents", header: "docs"),
            .init(key: "revenue", header: "revenue"),
        ])
        for client in clients {
            report.append([
                .text(client.clientID), .text(client.name), .text(client.manager), .text(client.region),
                .date(client.firstPurchase), .date(client.lastPurchase), .integer(client.documents),
                format == .table ? .number(client.revenue.formatted()) : .money(client.revenue),
            ])
        }
        print(report.render(format), terminator: "")
    }
}
