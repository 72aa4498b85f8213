import ArgumentParser
import Foundation
import WinbackStore

/// `winback`: finds the key clients a company is losing and helps win them back.
public struct WinbackCommand: ParsableCommand {
    public static let configuration = CommandConfiguration(
        commandName: "winback",
        abstract: "Find the key clients you are losing, and win them back.",
        discussion: """
            The config file is --config FILE, else $WINBACK_CONFIG, else /etc/winback/winback.toml, \
            else ./config/winback.toml.
            """,
        version: WinbackCommand.version,
        subcommands: [
            ImportCommand.self, ScanCommand.self, AlertsCommand.self, AckCommand.self, SnoozeCommand.self,
            ResolveCommand.self, ListCommand.self, ClientsCommand.self, ClientCommand.self, TrendCommand.self,
            ModelCommand.self, BacktestCommand.self, DaemonCommand.self, ConfigCommand.self, DemoCommand.self,
            GenerateCommand.self, StatusCommand.self, BackupCommand.self,
        ]
    )

    public static let version = "0.1.0"

    public init() {}

    /// Runs the command line and exits: status 0 on success, non-zero with a one-line reason on stderr.
    public static func run(arguments: [String]? = nil) -> Never {
        var command: any ParsableCommand
        do {
            command = try parseAsRoot(arguments)
        } catch {
            exit(withError: error)
        }
        do {
            try command.run()
            Foundation.exit(0)
        } catch let failure as CommandFailure {
            if !failure.details.isEmpty {
                FileHandle.standardError.write(Data((failure.details + "\n").utf8))
            }
            FileHandle.standardError.write(Data("winback: \(failure.reason)\n".utf8))
            Foundation.exit(failure.status)
        } catch let error as ExitCode {
            exit(withError: error)
        } catch let error as ValidationError {
            exit(withError: error)
        } catch let error as CleanExit {
            exit(withError: error)
        } catch where exitCode(for: error) == .success {
            // `--help` after a subcommand parses into a help command whose run throws the request.
            exit(withError: error)
        } catch {
            // Anything else (the database, the file system) in one line, not a dump.
            FileHandle.standardError.write(Data("winback: \(oneLine(error))\n".utf8))
            Foundation.exit(1)
        }
    }
}

/// A command that did not succeed: the reason is one line; `details` (such as every bad line of a file) precede it.
struct CommandFailure: Error {
    var reason: String
    var details = ""
    var status: Int32 = 1
}
