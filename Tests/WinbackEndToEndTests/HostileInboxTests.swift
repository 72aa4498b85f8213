import Foundation
import Testing
import WinbackTestSupport

#if canImport(Glibc)
    import Glibc
#endif

/// Broken and hostile files dropped in the inbox of a running daemon: each ends in a clear refusal or a
/// correct import, and the daemon keeps running.
@Suite("A hostile inbox")
struct HostileInboxTests {
    static let header = "date,client_id,client_name,document,amount\n"

    @Test("every file is refused with a reason or imported correctly; links and folders are refused unfollowed")
    func corpus() throws {
        let winback = try WinbackProcess()
        try winback.writeDaemonConfig(rescanDelay: 1)
        let daemon = try RunningDaemon(winback)
        #expect(daemon.notify.wait(seconds: 10) { $0.contains("READY=1") } != nil)
        let state = winback.folder.appendingPathComponent("state")
        let inbox = state.appendingPathComponent("inbox")
        // Everything is written aside and moved in, as an export job would.
        let staging = winback.folder.appendingPathComponent("staging")
        try FileManager.default.createDirectory(at: staging, withIntermediateDirectories: true)
        func drop(_ name: String, _ bytes: [UInt8]) throws {
            let aside = staging.appendingPathComponent(UUID().uuidString)
            try Data(bytes).write(to: aside)
            guard rename(aside.path, inbox.appendingPathComponent(name).path) == 0 else { throw POSIXError(.EIO) }
        }
        func drop(_ name: String, _ text: String) throws { try drop(name, Array(text.utf8)) }

        var random = SystemRandomNumberGenerator()
        let valid: [(String, String)] = [
            ("name with spaces.csv", Self.header + "2024-01-02,S1,Spaces,D1,5\n"),
            ("ünïcødé 販売.csv", Self.header + "2024-01-02,U1,Ünïcødé,D2,5\n"),
            ("-leading-dash.csv", Self.header + "2024-01-02,L1,Dash,D3,5\n"),
            ("new\nline.csv", Self.header + "2024-01-02,N1,Newline,D4,5\n"),
            ("formula.csv", Self.header + "2024-01-02,F1,\"=cmd|' /C calc'!A0\",D5,5\n"),
            ("control.csv", Self.header + "2024-01-02,K1,\"Evil\u{1b}[31m\u{7}name\",D6,5\n"),
            ("huge-field.csv", Self.header + "2024-01-02,H1,\"" + String(repeating: "x", count: 1_000_000) + "\",D7,5\n"),
            ("big.csv", Self.header + (1...20_000).map { "2024-01-03,B\($0 % 500),Big,B\($0),\($0)\n" }.joined()),
        ]
        let refused: [(String, [UInt8])] = [
            ("ragged.csv", Array((Self.header + "2024-01-02,R1,Ragged\n").utf8)),
            ("nul.csv", Array((Self.header + "2024-01-02,N\u{0}L,x,D8,5\n").utf8)),
            ("invalid-utf8.csv", Array(Self.header.utf8) + Array("2024-01-02,I1,".utf8) + [0xC3, 0x28] + Array(",D9,5\n".utf8)),
            ("utf16.csv", [0xFF, 0xFE] + Array(Self.header.utf8).flatMap { [$0, 0] }),
            ("random.bin", (0..<4096).map { _ in UInt8.random(in: 0...255, using: &random) }),
            ("empty.csv", []),
        ]
        for (name, text) in valid { try drop(name, text) }
        for (name, bytes) in refused { try drop(name, bytes) }
        #expect(symlink("/etc/passwd", inbox.appendingPathComponent("outside.csv").path) == 0)
        try FileManager.default.createDirectory(at: inbox.appendingPathComponent("folder"), withIntermediateDirectories: false)

        let everything = valid.map(\.0) + refused.map(\.0) + ["outside.csv", "folder"]
        // Done when nothing waits in the inbox and nothing is being imported from .processing.
        let emptied = eventually(30) {
            let left = (try? FileManager.default.contentsOfDirectory(atPath: inbox.path))?.filter { !$0.hasPrefix(".") } ?? ["?"]
            let claimed = (try? FileManager.default.contentsOfDirectory(atPath: inbox.appendingPathComponent(".processing").path)) ?? []
            return left.isEmpty && claimed.isEmpty
        }
        #expect(emptied, "the inbox still holds \(String(describing: try? FileManager.default.contentsOfDirectory(atPath: inbox.path)))")
        for (name, _) in valid {
            #expect(FileManager.default.fileExists(atPath: state.appendingPathComponent("archive/" + name).path), "\(name) archived")
        }
        for name in refused.map(\.0) + ["outside.csv", "folder"] {
            let error = state.appendingPathComponent("rejected/" + name + ".error.txt").path
            #expect(FileManager.default.fileExists(atPath: error), "\(name) rejected with its reason")
        }
        #expect(everything.count == 16)
        var info = stat()
        #expect(lstat(state.appendingPathComponent("rejected/outside.csv").path, &info) == 0 && (info.st_mode & S_IFMT) == S_IFLNK,
                "the link itself was moved, not followed")
        #expect(daemon.process.isRunning)

        let clients = try winback.run(["clients", "--format", "csv"])
        #expect(clients.stdout.contains(",'=cmd|' /C calc'!A0,"), "formulas neutralised in CSV")
        let table = try winback.run(["clients"])
        #expect(!table.stdout.contains("\u{1b}"), "no terminal escapes reach the table")
        let json = try winback.run(["clients", "--format", "json"])
        let rows = try #require(try JSONSerialization.jsonObject(with: Data(json.stdout.utf8)) as? [[String: Any]])
        #expect(rows.count == 7 + 500)
        #expect(rows.first { $0["client_id"] as? String == "H1" }.flatMap { ($0["client_name"] as? String)?.count } == 1_000_000)

        daemon.signal(SIGTERM)
        let (status, log) = daemon.finish(within: 10)
        #expect(status == 0)
        #expect(!log.contains("\u{1b}") && !log.contains("new\nline"), "names with control characters are escaped in the log")
        #expect(log.contains("new\\u{a}line.csv"))
    }
}
