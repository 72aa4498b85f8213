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
        if let top { rows = Array(rows.prefix(top)) }
        print(Self.report(rows, format: format).render(format), terminator: "")
    }

    static func report(_ rows: [WinbackRow], format: OutputFormat) -> Report {
        var report = Report(columns: [
            .init(key: "rank", header: "#"),
            .init(key: "client_id", header: "client"),
            .init(key: "client_name", header: "name", maxWidth: 24),
            .init(key: "manager", header: "manager", maxWidth: 16),
            .init(key: "status", header: "status"),
            .init(key: "abc", header: "abc"),
            .init(key: "value", header: "value/year"),
            .init(key: "missed_cycles", header: "missed"),
            .init(key: "reason", header: "reason", maxWidth: 60),
            .init(key: "offer", header: "offer", maxWidth: 60),
            .init(key: "offer_kind", header: "kind"),
            .init(key: "discount", header: "discount"),
            .init(key: "paused_until", header: "no visit before"),
            .init(key: "as_of", header: "as of"),
        ])
        for row in rows {
            report.append([
                .integer(row.rank), .text(row.clientID), .text(row.clientName), .text(row.manager),
                .text(row.status.rawValue), .text(row.abc?.rawValue),
                format == .table ? .number(row.value.formatted(decimals: 0)) : .money(row.value),
                .integer(row.missedCycles), .text(row.reason), .text(row.offer.map(describe)),
                .text(row.offer?.kind.rawValue), .number(row.offer?.discount.map { fixed($0, 1) }),
                .date(row.offer?.pausedUntil), .date(row.asOf),
            ])
        }
        return format == .table ? report.dropping(["offer_kind", "discount", "paused_until", "as_of"]) : report
    }
}
