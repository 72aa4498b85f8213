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
        let (_, database) = try global.open()
        let clients = try database.clientSummaries()
        if clients.isEmpty || clients.allSatisfy({ $0.state == nil }), let state = try emptyState(database) { note(state) }
        var report = Report(columns: [
            .init(key: "client_id", header: "client"),
            .init(key: "client_name", header: "name"),
            .init(key: "manager", header: "manager"),
            .init(key: "region", header: "region"),
            .init(key: "status", header: "status"),
            .init(key: "abc", header: "abc"),
            .init(key: "xyz", header: "xyz"),
            .init(key: "share", header: "share"),
            .init(key: "first_purchase", header: "first"),
            .init(key: "last_purchase", header: "last"),
            .init(key: "documents", header: "docs"),
            .init(key: "revenue", header: "revenue"),
            .init(key: "typical_interval_days", header: "every"),
            .init(key: "expected_next_purchase", header: "next"),
            .init(key: "days_silent", header: "silent"),
            .init(key: "missed_cycles", header: "missed"),
            .init(key: "p_alive", header: "p alive"),
            .init(key: "p_buy", header: "p buy"),
            .init(key: "expected_purchases", header: "exp. buys"),
            .init(key: "silence_probability", header: "silence p"),
            .init(key: "season", header: "season"),
        ])
        for client in clients {
            let state = client.state
            report.append([
                .text(client.clientID), .text(client.name), .text(client.manager), .text(client.region),
                .text(state?.status.rawValue), .text(state?.abc.rawValue), .text(state?.xyz?.rawValue),
                format == .table
                    ? .number(state.map { fixed($0.share * 100, 1) + " %" }) : .number(state.map { fixed($0.share, 6) }),
                .date(client.firstPurchase), .date(client.lastPurchase), .integer(client.documents),
                format == .table ? .number(client.revenue.formatted()) : .money(client.revenue),
                .number(state?.typicalInterval.map { fixed($0, 1) }), .date(state?.expectedNext),
                .integer(state?.daysSilent), .integer(state?.missedCycles),
                .number(state?.pAlive.map { fixed($0, format == .table ? 2 : 4) }),
                .number(state?.pBuy.map { fixed($0, format == .table ? 2 : 4) }),
                .number(state?.expectedPurchases.map { fixed($0, 2) }),
                .number(state?.silenceProbability.map { format == .table ? rarity($0) : "\($0)" }),
                .text(state?.season),
            ])
        }
        print(report.render(format), terminator: "")
    }
}
