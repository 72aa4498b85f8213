import Foundation
import Testing
import WinbackTestSupport

#if canImport(Glibc)
    import Glibc
#endif

/// The state directory on a tiny tmpfs: the daemon says the disk is full, loses no inbox file, keeps the
/// database consistent, and imports the file by itself once the filesystem grows. Needs root (mount).
@Suite("A full disk")
struct FullDiskTests {
    static let canMount: Bool = {
        guard getuid() == 0 else { return false }
        let probe = FileManager.default.temporaryDirectory.appendingPathComponent("winback-mount-probe-\(getpid())").path
        mkdir(probe, 0o700)
        defer { rmdir(probe) }
        guard mount("tmpfs", probe, "tmpfs", 0, "size=1m") == 0 else { return false }
        umount(probe)
        return true
    }()

    @Test("a file that does not fit waits in .processing, is imported once space returns", .enabled(if: canMount))
    func fullDisk() throws {
        let winback = try WinbackProcess()
        let state = winback.folder.appendingPathComponent("state")
        try FileManager.default.createDirectory(at: state, withIntermediateDirectories: true)
        #expect(mount("tmpfs", state.path, "tmpfs", 0, "size=1500k") == 0)
        defer { umount2(state.path, Int32(MNT_DETACH)) }
        try winback.writeDaemonConfig(rescanDelay: 0)
        let daemon = try RunningDaemon(winback)
        #expect(daemon.notify.wait(seconds: 10) { $0.contains("READY=1") } != nil)
        // 30,000 lines need several MB of database: more than the 1.5 MB filesystem, less than the file.
        let text = "date,client_id,document,line,amount\n" + (1...30_000).map { "2024-01-02,C\($0 % 100),D\($0),1,\($0)\n" }.joined()
        let staging = winback.folder.appendingPathComponent("big.csv")
        try text.write(to: staging, atomically: true, encoding: .utf8)
        // The file itself is written into the inbox on the small filesystem only after it was copied aside.
        let inbox = state.appendingPathComponent("inbox")
        let copied = (try? FileManager.default.copyItem(at: staging, to: inbox.appendingPathComponent("big.csv"))) != nil
        #expect(copied, "the file fits, the database will not")
        #expect(daemon.notify.wait(seconds: 10) { $0.contains("STATUS=error importing big.csv") } != nil, "STATUS says so")
        let claimed = inbox.appendingPathComponent(".processing/big.csv").path
        #expect(FileManager.default.fileExists(atPath: claimed), "the file is kept, claimed, not lost")
        // Space returns: the next look imports it.
        #expect(mount("tmpfs", state.path, "tmpfs", UInt(MS_REMOUNT), "size=64m") == 0)
        #expect(eventually(15) { FileManager.default.fileExists(atPath: state.appendingPathComponent("archive/big.csv").path) })
        #expect(daemon.process.isRunning)
        daemon.signal(SIGTERM)
        let (status, log) = daemon.finish(within: 15)
        #expect(status == 0)
        #expect(log.contains("<3>failed importing big.csv"))
        let clients = try winback.run(["clients", "--format", "json"])
        let rows = try #require(try JSONSerialization.jsonObject(with: Data(clients.stdout.utf8)) as? [[String: Any]])
        #expect(rows.count == 100)
        #expect(rows.reduce(0) { $0 + ($1["documents"] as? Int ?? 0) } == 30_000, "every line, once")
    }
}
