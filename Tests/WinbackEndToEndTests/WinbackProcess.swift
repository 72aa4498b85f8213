import Foundation
import WinbackTestSupport

/// Runs the real `winback` binary, as a user or a script would, and captures what it says.
struct WinbackProcess {
    struct Result {
        var status: Int32
        var stdout: String
        var stderr: String
    }

    /// The `winback` executable built next to the test bundle.
    static var executable: URL {
        let bundleDirectory = URL(fileURLWithPath: CommandLine.arguments[0]).deletingLastPathComponent()
        for candidate in [bundleDirectory, bundleDirectory.deletingLastPathComponent()] {
            let url = candidate.appendingPathComponent("winback")
            if FileManager.default.isExecutableFile(atPath: url.path) { return url }
        }
        return bundleDirectory.appendingPathComponent("winback")
    }

    /// A scratch folder with a config whose state directory lies inside it, removed when the last copy goes.
    let scratch: TemporaryFolder
    var folder: URL { scratch.url }
    let config: URL

    init() throws {
        scratch = try TemporaryFolder("winback-cli")
        config = scratch.url.appendingPathComponent("winback.toml")
        try "state_dir = \"state\"\n".write(to: config, atomically: true, encoding: .utf8)
    }

    /// A config for `winback daemon` tests: the inbox looked into every second, the day's scan due at once.
    func writeDaemonConfig(rescanDelay: Int = 1, extra: String = "") throws {
        try """
        state_dir = "state"
        [daemon]
        inbox_poll_seconds = 1
        rescan_delay_seconds = \(rescanDelay)
        settle_seconds = 0
        scan_at = "00:00"
        \(extra)
        """.write(to: config, atomically: true, encoding: .utf8)
    }

    func file(_ name: String, _ text: String) throws -> String {
        let url = folder.appendingPathComponent(name)
        try text.write(to: url, atomically: true, encoding: .utf8)
        return url.path
    }

    /// Runs `winback ARGUMENTS --config <this folder's config>` unless `withConfig` is false.
    /// `directory`: where it runs (the tests' working directory, the package's root, when nil).
    func run(
        _ arguments: [String], withConfig: Bool = true, environment: [String: String] = [:], directory: String? = nil
    ) throws -> Result {
        let arguments = [Self.executable.path] + arguments + (withConfig ? ["--config", config.path] : [])
        // GNU env changes the directory and runs the binary in its place.
        let child = try Spawned(
            directory == nil ? arguments[0] : "/usr/bin/env",
            directory.map { ["--chdir=" + $0] + arguments } ?? Array(arguments.dropFirst()),
            environment: Self.environment(environment))
        let status = child.wait()
        return Result(status: status, stdout: child.stdout, stderr: child.stderr)
    }

    /// The test's environment without `$WINBACK_CONFIG`, with `extra` added.
    static func environment(_ extra: [String: String]) -> [String: String] {
        var env = ProcessInfo.processInfo.environment
        env.removeValue(forKey: "WINBACK_CONFIG")
        env.merge(extra) { $1 }
        return env
    }
}
