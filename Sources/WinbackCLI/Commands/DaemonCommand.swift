import ArgumentParser
import Foundation
import Logging
import WinbackConfig
import WinbackRuntime
import WinbackStore

/// `winback daemon`: the long-running service.
struct DaemonCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "daemon",
        abstract: "Run the service: the daily scan, the inbox, systemd's notify protocol.",
        discussion: """
            Scans every day at [daemon] scan_at (local time), makes up scans missed while it was stopped, \
            imports files dropped in the state directory's inbox/ and rescans after new sales. SIGHUP reloads \
            the config (an invalid one is refused and the running one stays); SIGTERM or SIGINT stop it. \
            Logs go to stderr with journald priorities.
            """)

    @OptionGroup var global: GlobalOptions

    func run() throws {
        LoggingSystem.bootstrap { JournalLogHandler(label: $0) }
        let logger = Logger(label: "winback")
        let config = try global.loadConfig()
        let path = try? ConfigLoader.locate(explicit: global.config)
        let daemon: Daemon
        do {
            daemon = try Daemon(config: config, configPath: path, logger: logger)
        } catch let error as InstanceLock.Held {
            throw CommandFailure(reason: error.description)
        } catch let error as StateDirectory.Failure {
            throw CommandFailure(reason: error.description)
        }
        daemon.run()
        if let failure = daemon.failure { throw CommandFailure(reason: failure) }
        Foundation.exit(0)
    }
}
