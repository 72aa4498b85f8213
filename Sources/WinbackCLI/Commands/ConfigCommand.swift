import ArgumentParser
import WinbackConfig

/// `winback config check`: reads the config as the other commands would, and says whether it is valid.
struct ConfigCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "config", abstract: "Check the config file.", subcommands: [ConfigCheckCommand.self])
}

struct ConfigCheckCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "check",
        abstract: "Read the config file and say whether it is valid (the daemon runs this before a reload).")

    @OptionGroup var global: GlobalOptions

    func run() throws {
        let config = try global.loadConfig()
        print("\(config.sourcePath ?? "config"): valid; state_dir \(config.stateDirectory)")
    }
}
