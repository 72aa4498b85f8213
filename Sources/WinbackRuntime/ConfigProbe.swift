import Foundation

#if canImport(Glibc)
    import Glibc
#elseif canImport(Musl)
    import Musl
#endif

/// Reads a config file in a child process (`winback config check`) before the daemon reads it itself.
///
/// The TOML parser inside TOMLKit aborts the process on some malformed inputs (an assertion in toml++,
/// found by fuzzing); a reload must refuse such a file, not die of it. The child runs the same binary.
enum ConfigProbe {
    /// Nil when the config is valid; otherwise why not, in one line.
    static func problem(with path: String) -> String? {
        var errPipe: [Int32] = [0, 0]
        guard pipe(&errPipe) == 0 else { return nil }
        var actions = posix_spawn_file_actions_t()
        posix_spawn_file_actions_init(&actions)
        defer { posix_spawn_file_actions_destroy(&actions) }
        posix_spawn_file_actions_addopen(&actions, 1, "/dev/null", O_WRONLY, 0)
        posix_spawn_file_actions_adddup2(&actions, errPipe[1], 2)
        posix_spawn_file_actions_addclose(&actions, errPipe[0])
        posix_spawn_file_actions_addclose(&actions, errPipe[1])
        let executable = "/proc/self/exe"
        let arguments: [String] = [executable, "config", "check", "--config", path]
        let argv = arguments.map { strdup($0) } + [nil]
        var environment = ProcessInfo.processInfo.environment
        environment["SWIFT_BACKTRACE"] = "enable=no"
        let envp = environment.map { strdup("\($0.key)=\($0.value)") } + [nil]
        defer {
            argv.forEach { free($0) }
            envp.forEach { free($0) }
        }
        var child: pid_t = 0
        let spawned = posix_spawn(&child, executable, &actions, nil, argv, envp)
        close(errPipe[1])
        guard spawned == 0 else {
            close(errPipe[0])
            return nil  // Cannot probe: fall back to reading it here.
        }
        var output = Data()
        var buffer = [UInt8](repeating: 0, count: 4096)
        while true {
            let count = read(errPipe[0], &buffer, buffer.count)
            if count > 0 { output.append(contentsOf: buffer[0..<count]) } else if count == 0 || errno != EINTR { break }
        }
        close(errPipe[0])
        var status: Int32 = 0
        while waitpid(child, &status, 0) < 0, errno == EINTR {}
        let exited = (status & 0x7f) == 0
        if exited, (status >> 8) & 0xff == 0 { return nil }
        let lines = String(decoding: output, as: UTF8.self).split(separator: "\n")
        if exited, let reason = lines.last(where: { $0.hasPrefix("winback: ") }) {
            return String(reason.dropFirst("winback: ".count))
        }
        let first = lines.first.map(String.init) ?? ""
        return "reading \(path) crashed the config parser (signal \(status & 0x7f))" + (first.isEmpty ? "" : ": \(first)")
    }
}
