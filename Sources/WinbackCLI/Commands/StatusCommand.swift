import ArgumentParser
import WinbackReports
import WinbackRuntime

/// `winback status`: the service's health for an admin and for monitoring.
struct StatusCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "status",
        abstract: "Show the service's health: last import and scan, data, alerts, inbox, daemon.",
        discussion: """
            Exits 1 when the service is stale: no sales stored, the feed stopped, or the latest scan older than \
            the day whose scheduled scan time ([daemon] scan_at) has passed. Monitoring can call it.
            """)

    @OptionGroup var global: GlobalOptions

    @Option(help: "Output format: text or json.")
    var format: StatusFormat = .text

    enum StatusFormat: String, ExpressibleByArgument, CaseIterable {
        case text, json
    }

    func run() throws {
        let (config, database) = try global.open()
        let health = try ServiceStatus.health(config: config, database: database)
        print(format == .json ? StatusReport.json(health) : StatusReport.text(health), terminator: "")
        if !health.isHealthy { throw ExitCode(1) }
    }
}
