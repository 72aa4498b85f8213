import Foundation
import GRDB
import Testing
import WinbackTestSupport

#if canImport(Glibc)
    import Glibc
#endif

/// A fake systemd: a datagram socket that collects what the daemon sends to `$NOTIFY_SOCKET`.
final class FakeNotifySocket {
    let path: String
    private let descriptor: Int32
    private(set) var messages: [String] = []

    init(in folder: URL) throws {
        path = folder.appendingPathComponent("notify.sock").path
        descriptor = socket(AF_UNIX, Int32(SOCK_DGRAM.rawValue), 0)
        var address = sockaddr_un()
        address.sun_family = sa_family_t(AF_UNIX)
        withUnsafeMutableBytes(of: &address.sun_path) { raw in
            for (index, byte) in path.utf8.enumerated() { raw[index] = byte }
        }
        let result = withUnsafePointer(to: &address) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) {
                bind(descriptor, $0, socklen_t(MemoryLayout<sockaddr_un>.size))
            }
        }
        guard result == 0 else { throw POSIXError(.EADDRINUSE) }
        var timeout = timeval(tv_sec: 0, tv_usec: 100_000)
        setsockopt(descriptor, SOL_SOCKET, SO_RCVTIMEO, &timeout, socklen_t(MemoryLayout<timeval>.size))
    }

    deinit {
        close(descriptor)
        unlink(path)
    }

    /// Reads datagrams until `condition` holds for one of them or `seconds` pass; returns that message.
    @discardableResult
    func wait(seconds: Double, for condition: (String) -> Bool) -> String? {
        let deadline = Date().addingTimeInterval(seconds)
        if let found = messages.first(where: condition) { return found }
        var buffer = [UInt8](repeating: 0, count: 4096)
        while Date() < deadline {
            let count = recv(descriptor, &buffer, buffer.count, 0)
            guard count > 0 else { continue }
            let message = String(decoding: buffer[0..<count], as: UTF8.self)
            messages.append(message)
            if condition(message) { return message }
        }
        return nil
    }
}

/// The real `winback daemon` under a fake systemd.
final class RunningDaemon {
    let process: Spawned
    let notify: FakeNotifySocket
    let winback: WinbackProcess

    init(_ winback: WinbackProcess, environment: [String: String] = [:]) throws {
        self.winback = winback
        notify = try FakeNotifySocket(in: winback.folder)
        var extra = environment
        extra["NOTIFY_SOCKET"] = notify.path
        process = try Spawned(
            WinbackProcess.executable.path, ["daemon", "--config", winback.config.path],
            environment: WinbackProcess.environment(extra))
    }

    func signal(_ number: Int32) { process.signal(number) }

    /// Waits for the process to end and returns its status and what it logged; nil status if it did not end.
    func finish(within seconds: Double) -> (status: Int32?, log: String) {
        let deadline = Date().addingTimeInterval(seconds)
        while process.isRunning, Date() < deadline { usleep(20_000) }
        guard !process.isRunning else { return (nil, "") }
        let status = process.wait()
        return (status, process.stderr)
    }
}

/// Polls `condition` until it holds or `seconds` pass.
func eventually(_ seconds: Double, _ condition: () -> Bool) -> Bool {
    let deadline = Date().addingTimeInterval(seconds)
    while Date() < deadline {
        if condition() { return true }
        usleep(50_000)
    }
    return condition()
}

@Suite("winback daemon, as systemd runs it")
struct DaemonTests {
    func configured(_ extra: String = "") throws -> WinbackProcess {
        let winback = try WinbackProcess()
        try winback.writeDaemonConfig(extra: extra)
        return winback
    }

    @Test("READY=1 arrives, a missed daily scan is made at start, and SIGTERM stops it with status 0")
    func readyAndStop() throws {
        let daemon = try RunningDaemon(try configured())
        #expect(daemon.notify.wait(seconds: 10) { $0.contains("READY=1") } != nil)
        #expect(
            daemon.notify.wait(seconds: 10) { $0.contains("STATUS=scan ") } != nil, "the day's scan was made at start")
        daemon.signal(SIGTERM)
        #expect(daemon.notify.wait(seconds: 5) { $0.contains("STOPPING=1") } != nil)
        let (status, log) = daemon.finish(within: 5)
        #expect(status == 0)
        #expect(log.contains("<6>winback daemon started"))
        #expect(log.contains("reason=scheduled"))
    }

    @Test("watchdog pings arrive at half of WATCHDOG_USEC")
    func watchdog() throws {
        let daemon = try RunningDaemon(try configured(), environment: ["WATCHDOG_USEC": "400000"])
        var pings = 0
        let deadline = Date().addingTimeInterval(3)
        while Date() < deadline, pings < 3 {
            if daemon.notify.wait(seconds: 1, for: { $0 == "WATCHDOG=1" }) != nil {
                pings += 1
                // Count each ping once.
                daemon.notify.forget("WATCHDOG=1")
            }
        }
        #expect(pings >= 3)
        daemon.signal(SIGTERM)
        #expect(daemon.finish(within: 5).status == 0)
    }

    @Test("a file dropped in the inbox is imported and archived; a bad one is rejected with its errors")
    func inbox() throws {
        let winback = try configured()
        let daemon = try RunningDaemon(winback)
        #expect(daemon.notify.wait(seconds: 10) { $0.contains("READY=1") } != nil)
        let state = winback.folder.appendingPathComponent("state")
        try "date,client_id,document,amount\n2024-01-02,C1,D1,5\n".write(
            to: state.appendingPathComponent("inbox/good sales.csv"), atomically: true, encoding: .utf8)
        try "date,client_id,document,amount\n2024-13-02,C1,D2,5\n".write(
            to: state.appendingPathComponent("inbox/bad.csv"), atomically: true, encoding: .utf8)
        try "not yet".write(to: state.appendingPathComponent("inbox/.partial"), atomically: true, encoding: .utf8)
        #expect(
            eventually(5) {
                FileManager.default.fileExists(atPath: state.appendingPathComponent("archive/good sales.csv").path)
            })
        #expect(
            eventually(5) {
                FileManager.default.fileExists(atPath: state.appendingPathComponent("rejected/bad.csv.error.txt").path)
            })
        let error = try String(contentsOf: state.appendingPathComponent("rejected/bad.csv.error.txt"), encoding: .utf8)
        #expect(error.contains("bad.csv:2: date: not a date"))
        #expect(
            FileManager.default.fileExists(atPath: state.appendingPathComponent("inbox/.partial").path),
            "dot-files are left alone")
        let alerts = try winback.run(["alerts", "--kind", "import_rejected", "--format", "json"])
        #expect(alerts.stdout.contains("bad.csv was not imported"))
        let clients = try winback.run(["clients", "--format", "json"])
        #expect(clients.stdout.contains("\"C1\""))
        daemon.signal(SIGTERM)
        #expect(daemon.finish(within: 5).status == 0)
    }

    @Test("SIGHUP reloads the config; an invalid one is refused and the daemon goes on")
    func reload() throws {
        let winback = try configured()
        let daemon = try RunningDaemon(winback)
        #expect(daemon.notify.wait(seconds: 10) { $0.contains("READY=1") } != nil)
        daemon.notify.forget("READY=1")
        daemon.signal(SIGHUP)
        #expect(daemon.notify.wait(seconds: 5) { $0.contains("RELOADING=1") } != nil)
        #expect(daemon.notify.wait(seconds: 5) { $0.contains("READY=1") } != nil)
        try "state_dir = \"state\"\nnot toml at all\n".write(to: winback.config, atomically: true, encoding: .utf8)
        daemon.notify.forget("READY=1")
        daemon.signal(SIGHUP)
        #expect(daemon.notify.wait(seconds: 5) { $0.contains("READY=1") } != nil)
        #expect(daemon.process.isRunning)
        daemon.signal(SIGTERM)
        let (status, log) = daemon.finish(within: 5)
        #expect(status == 0)
        #expect(log.contains("<6>config reloaded"))
        #expect(log.contains("<3>config not reloaded; the running one stays"))
    }

    @Test("a config that used to crash the TOML parser is refused on reload with its line, and the daemon survives")
    func crashingConfig() throws {
        let winback = try configured()
        let daemon = try RunningDaemon(winback)
        #expect(daemon.notify.wait(seconds: 10) { $0.contains("READY=1") } != nil)
        // A one-character typo toml++ aborted on (an assertion): now a syntax error with its line.
        try Data("state_dir = \"state\"\n\n[[offers]]\ncriteria = [\"overdue\", }\n".utf8).write(to: winback.config)
        daemon.notify.forget("READY=1")
        daemon.signal(SIGHUP)
        #expect(daemon.notify.wait(seconds: 10) { $0.contains("READY=1") } != nil)
        #expect(daemon.process.isRunning)
        daemon.signal(SIGTERM)
        let (status, log) = daemon.finish(within: 5)
        #expect(status == 0)
        #expect(log.contains("<3>config not reloaded; the running one stays error="))
        #expect(log.contains("winback.toml:4: expected a value, found '}'"))
        #expect(!log.contains("crashed the config parser"))
    }

    @Test("after an upgrade's new binary migrated the database, the old daemon writes nothing more and stops non-zero")
    func newerSchema() throws {
        let winback = try configured()
        let daemon = try RunningDaemon(winback)
        #expect(daemon.notify.wait(seconds: 10) { $0.contains("READY=1") } != nil)
        // What a newer winback's migration leaves: a migration this binary does not know.
        let path = winback.folder.appendingPathComponent("state/winback.sqlite").path
        let database = try DatabaseQueue(path: path)
        try database.write {
            try $0.execute(sql: "INSERT INTO grdb_migrations (identifier) VALUES ('9999-from-the-future')")
        }
        // A file arrives before the next schedule check: whichever write comes first (the start's scan or this
        // import), the store refuses it under the write lock.
        let inbox = winback.folder.appendingPathComponent("state/inbox")
        try "date,client_id,document,amount\n2025-01-02,C1,D1,10\n".write(
            to: inbox.appendingPathComponent(".late"), atomically: true, encoding: .utf8)
        rename(inbox.appendingPathComponent(".late").path, inbox.appendingPathComponent("late.csv").path)
        let (status, log) = daemon.finish(within: 10)
        #expect(status == 1, "systemd restarts it, as the newer binary")
        #expect(log.contains("<2>stopping: the database was written by a newer winback"), "\(log)")
        #expect(try database.read { try Int.fetchOne($0, sql: "SELECT count(*) FROM sales") } == 0)
        let waiting = FileManager.default.fileExists(atPath: inbox.appendingPathComponent("late.csv").path)
        let claimed = FileManager.default.fileExists(atPath: inbox.appendingPathComponent(".processing/late.csv").path)
        #expect(waiting || claimed, "left in the inbox for the newer daemon")
    }

    @Test("one daemon per state directory")
    func lock() throws {
        let winback = try configured()
        let first = try RunningDaemon(winback)
        #expect(first.notify.wait(seconds: 10) { $0.contains("READY=1") } != nil)
        let second = try winback.run(["daemon"])
        #expect(second.status != 0)
        #expect(second.stderr.contains("another winback daemon runs on this state directory"))
        first.signal(SIGINT)
        #expect(first.finish(within: 5).status == 0)
    }
}

extension FakeNotifySocket {
    /// Forgets collected messages equal to or containing `text`, so that a later wait sees only new ones.
    func forget(_ text: String) {
        messages.removeAll { $0.contains(text) }
    }
}
