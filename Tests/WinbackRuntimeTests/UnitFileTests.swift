import Foundation
import Testing
import WinbackTestSupport

/// The shipped unit, as `systemd-analyze` rates it. CI installs systemd's tools; elsewhere the test runs
/// wherever `systemd-analyze` is on the machine.
@Suite("deploy/winback.service")
struct UnitFileTests {
    static let unit = URL(fileURLWithPath: #filePath).deletingLastPathComponent()
        .appendingPathComponent("../../deploy/winback.service").standardizedFileURL.path
    static let analyze = ["/usr/bin/systemd-analyze", "/bin/systemd-analyze"].first {
        FileManager.default.isExecutableFile(atPath: $0)
    }
    static let required = ProcessInfo.processInfo.environment["CI"] == "true"

    @Test("systemd-analyze security rates it 1.0 or lower (SAFE)", .enabled(if: analyze != nil || required))
    func exposure() throws {
        let tool = try #require(Self.analyze, "systemd-analyze is missing; .ci/run installs it")
        let process = try Spawned(
            tool, ["security", "--offline=true", "--no-pager", Self.unit], environment: ProcessInfo.processInfo.environment)
        process.wait()
        let text = process.stdout + process.stderr
        let line = try #require(text.split(separator: "\n").first { $0.contains("Overall exposure level") }, "\(text)")
        let number = line.split(separator: " ").compactMap { Double($0) }.first
        let exposure = try #require(number, "\(line)")
        #expect(exposure <= 1.0, "\(line)")
        #expect(line.contains("SAFE"))
    }

    @Test("the unit runs the daemon as its own user, notifies systemd and has a watchdog")
    func essentials() throws {
        let text = try String(contentsOfFile: Self.unit, encoding: .utf8)
        for line in [
            "Type=notify", "User=winback", "Group=winback", "StateDirectory=winback", "ConfigurationDirectory=winback",
            "Restart=on-failure", "NoNewPrivileges=yes",
        ] {
            #expect(text.contains("\n" + line + "\n"), "\(line)")
        }
        #expect(text.contains("\nWatchdogSec="))
        #expect(text.contains("ExecStart=/usr/local/bin/winback daemon"))
        #expect(!text.contains("User=root"))
    }
}
