import ArgumentParser
import Foundation
import WinbackConfig
import WinbackReports
import WinbackStore

/// The options every command takes.
struct GlobalOptions: ParsableArguments {
    @Option(name: .long, help: ArgumentHelp("The config file.", valueName: "file"))
    var config: String?

    @Option(
        name: .customLong("state-dir"),
        help: ArgumentHelp(
            "Use this state directory instead of the config's state_dir (default: $\(Self.stateDirectoryVariable)). "
                + "Enough on its own: without a config file, every setting takes its default.",
            valueName: "dir"))
    var stateDirectory: String?

    static let stateDirectoryVariable = "WINBACK_STATE_DIR"

    /// The config to run with: the file found by the resolution order, with `--state-dir` (or
    /// `$WINBACK_STATE_DIR`) applied. A state directory given either way needs no config file: when none is found,
    /// every setting takes its default.
    func loadConfig(environment: [String: String] = ProcessInfo.processInfo.environment) throws -> WinbackConfig {
        if stateDirectory?.isEmpty == true {
            throw CommandFailure(reason: "--state-dir needs a folder; an empty path would make the current folder one")
        }
        let chosen = stateDirectory ?? environment[Self.stateDirectoryVariable].flatMap { $0.isEmpty ? nil : $0 }
        do {
            var loaded: WinbackConfig
            if config == nil, environment[ConfigLoader.environmentVariable] == nil, chosen != nil,
                (try? ConfigLoader.locate(explicit: nil, environment: environment)) == nil
            {
                loaded = WinbackConfig()
            } else {
                loaded = try ConfigLoader.load(path: ConfigLoader.locate(explicit: config, environment: environment))
            }
            if let chosen {
                loaded.stateDirectory = URL(fileURLWithPath: chosen).standardizedFileURL.path
            }
            return loaded
        } catch let error as ConfigError {
            throw CommandFailure(reason: error.description)
        }
    }

    /// The config and the database in its state directory, creating the directory's layout when missing.
    func open() throws -> (WinbackConfig, AppDatabase) {
        let config = try loadConfig()
        do {
            let state = StateDirectory(root: config.stateDirectory)
            try state.prepare()
            return (config, try AppDatabase.open(path: state.databasePath))
        } catch let error as StateDirectory.Failure {
            throw CommandFailure(reason: error.description)
        }
    }
}

/// `--format table|json|csv` for listing commands.
extension OutputFormat: ExpressibleByArgument {}
