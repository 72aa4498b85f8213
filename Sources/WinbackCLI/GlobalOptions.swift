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
        help: ArgumentHelp("Use this state directory instead of the config's state_dir.", valueName: "dir"))
    var stateDirectory: String?

    /// The config to run with: the file found by the resolution order, with `--state-dir` applied.
    func loadConfig() throws -> WinbackConfig {
        do {
            let path = try ConfigLoader.locate(explicit: config)
            var loaded = try ConfigLoader.load(path: path)
            if let stateDirectory {
                loaded.stateDirectory = URL(fileURLWithPath: stateDirectory).standardizedFileURL.path
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
