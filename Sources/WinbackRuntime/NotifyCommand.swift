import Foundation
import WinbackConfig
import WinbackCore

#if canImport(Glibc)
    import Glibc
#elseif canImport(Musl)
    import Musl
#endif

/// Runs the `[notify] command` after a scan's outbox is written: the program with its arguments (no shell), the
/// day's facts in its arguments' placeholders and in its environment, stdin from /dev/null, and a time limit after
/// which its whole process group is stopped.
public struct NotifyCommand: Sendable {
    public let settings: NotifySettings

    public init(settings: NotifySettings) {
        self.settings = settings
    }

    /// What the command is told about the scan.
    public struct Facts: Sendable, Equatable {
        public var asOf: Day
        public var folder: String
        public var newAlerts: Int
        public var criticalOpen: Int
        public var atRisk: Int
        public var lost: Int

        public init(asOf: Day, folder: String, newAlerts: Int, criticalOpen: Int, atRisk: Int, lost: Int) {
            self.asOf = asOf
            self.folder = folder
            self.newAlerts = newAlerts
            self.criticalOpen = criticalOpen
            self.atRisk = atRisk
            self.lost = lost
        }

        /// `{name}` in an argument → value, and `WINBACK_NAME` in the environment.
        var values: [(String, String)] {
            [
                ("outbox", folder), ("as_of", asOf.iso), ("digest_md", folder + "/digest.md"),
                ("digest_html", folder + "/digest.html"), ("managers", folder + "/managers"),
                ("new_alerts", String(newAlerts)), ("critical_open", String(criticalOpen)),
                ("at_risk", String(atRisk)), ("lost", String(lost)),
            ]
        }
    }

    /// How a run ended.
    public struct Outcome: Sendable, Equatable {
        /// Nil when it succeeded: why it failed, in one line (the exit status or signal, or the time limit, and the
        /// last line the command wrote).
        public var failure: String?
        public var seconds: Double
        /// The last of what the command wrote to stdout and stderr (at most 4 KiB), for the log.
        public var output: String
    }

    /// Runs the command once and waits for it, at most `timeoutSeconds` (then SIGTERM to its process group, and
    /// SIGKILL two seconds later).
    public func run(_ facts: Facts, environment: [String: String] = ProcessInfo.processInfo.environment) -> Outcome {
        let started = Date()
        func done(_ failure: String?, _ output: String = "") -> Outcome {
            Outcome(failure: failure, seconds: Date().timeIntervalSince(started), output: output)
        }
        guard let program = settings.command.first else { return done(nil) }
        var arguments = settings.command
        for index in arguments.indices.dropFirst() {
            for (name, value) in facts.values {
                arguments[index] = arguments[index].replacingOccurrences(of: "{\(name)}", with: value)
            }
        }
        var env = environment
        for (name, value) in facts.values { env["WINBACK_" + name.uppercased()] = value }

        var pipe: [Int32] = [0, 0]
        guard Glibc.pipe(&pipe) == 0 else { return done("cannot make a pipe: \(String(cString: strerror(errno)))") }
        var actions = posix_spawn_file_actions_t()
        posix_spawn_file_actions_init(&actions)
        defer { posix_spawn_file_actions_destroy(&actions) }
        posix_spawn_file_actions_addopen(&actions, 0, "/dev/null", O_RDONLY, 0)
        posix_spawn_file_actions_adddup2(&actions, pipe[1], 1)
        posix_spawn_file_actions_adddup2(&actions, pipe[1], 2)
        posix_spawn_file_actions_addclose(&actions, pipe[0])
        posix_spawn_file_actions_addclose(&actions, pipe[1])
        var attributes = posix_spawnattr_t()
        posix_spawnattr_init(&attributes)
        defer { posix_spawnattr_destroy(&attributes) }
        // Its own process group, so that a time limit stops what it started too (a sendmail, a curl).
        posix_spawnattr_setflags(
            &attributes, Int16(POSIX_SPAWN_SETPGROUP | POSIX_SPAWN_SETSIGMASK | POSIX_SPAWN_SETSIGDEF))
        posix_spawnattr_setpgroup(&attributes, 0)
        var empty = sigset_t()
        sigemptyset(&empty)
        posix_spawnattr_setsigmask(&attributes, &empty)
        var defaults = sigset_t()
        sigemptyset(&defaults)
        for signal in [SIGTERM, SIGINT, SIGHUP, SIGPIPE, SIGCHLD] { sigaddset(&defaults, signal) }
        posix_spawnattr_setsigdefault(&attributes, &defaults)

        let argv = arguments.map { strdup($0) } + [nil]
        let envp = env.map { strdup("\($0.key)=\($0.value)") } + [nil]
        defer {
            argv.forEach { free($0) }
            envp.forEach { free($0) }
        }
        var child: pid_t = 0
        let spawned = posix_spawn(&child, program, &actions, &attributes, argv, envp)
        close(pipe[1])
        guard spawned == 0 else {
            close(pipe[0])
            return done("cannot run \(program): \(String(cString: strerror(spawned)))")
        }

        var output: [UInt8] = []
        var buffer = [UInt8](repeating: 0, count: 4096)
        let deadline = started.addingTimeInterval(Double(settings.timeoutSeconds))
        var killedAt: Date?
        var status: Int32 = 0
        var open = true
        while true {
            if open {
                var poller = pollfd(fd: pipe[0], events: Int16(POLLIN), revents: 0)
                if poll(&poller, 1, 100) > 0 {
                    let count = read(pipe[0], &buffer, buffer.count)
                    if count > 0 {
                        output += buffer[0..<count]
                        if output.count > 8192 { output.removeFirst(output.count - 4096) }
                    } else if count == 0 || (errno != EINTR && errno != EAGAIN) {
                        open = false
                    }
                }
            } else {
                usleep(50_000)
            }
            let waited = waitpid(child, &status, WNOHANG)
            if waited == child { break }
            if waited < 0 && errno != EINTR { break }
            let now = Date()
            if killedAt == nil, now >= deadline {
                kill(-child, SIGTERM)
                killedAt = now
            } else if let killedAt, now.timeIntervalSince(killedAt) >= 2 {
                kill(-child, SIGKILL)
            }
        }
        // What is left in the pipe, without waiting for children that keep it open.
        var rest = pollfd(fd: pipe[0], events: Int16(POLLIN), revents: 0)
        while open, poll(&rest, 1, 0) > 0 {
            let count = read(pipe[0], &buffer, buffer.count)
            guard count > 0 else { break }
            output += buffer[0..<count]
        }
        close(pipe[0])
        let text = String(decoding: output.suffix(4096), as: UTF8.self)
        let lastLine = text.split(whereSeparator: \.isNewline).last.map { ": " + String($0.prefix(300)) } ?? ""
        if killedAt != nil {
            return done(
                "\(program) did not finish within \(settings.timeoutSeconds) s and was stopped\(lastLine)", text)
        }
        let exited = status & 0x7F == 0
        if exited {
            let code = (status >> 8) & 0xFF
            return done(code == 0 ? nil : "\(program) exited with status \(code)\(lastLine)", text)
        }
        return done("\(program) was killed by signal \(status & 0x7F)\(lastLine)", text)
    }
}
