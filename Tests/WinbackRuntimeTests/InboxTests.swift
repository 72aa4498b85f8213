import Foundation
import Testing
import WinbackStore
import WinbackTestSupport

@testable import WinbackRuntime

/// The inbox's moves: a refused file never shows in `rejected/` without its reason.
@Suite("Inbox")
struct InboxTests {
    let scratch: TemporaryFolder
    let state: StateDirectory

    init() throws {
        scratch = try TemporaryFolder("winback-inbox")
        state = StateDirectory(root: scratch.url.appendingPathComponent("state").path)
        try state.prepare()
    }

    func names(_ folder: String) -> [String] {
        ((try? FileManager.default.contentsOfDirectory(atPath: folder)) ?? []).sorted()
    }

    @Test("a refused file's reason is beside it once it is moved, and a name taken gets the next free one")
    func reasonWithFile() throws {
        let inbox = Inbox(state: state)
        for _ in 0..<2 {
            try Data("bad\n".utf8).write(to: URL(fileURLWithPath: state.inbox + "/sales.csv"))
            let target = try inbox.reject(state.inbox + "/sales.csv", error: "sales.csv line 1: no header")
            #expect(
                try String(contentsOfFile: target + ".error.txt", encoding: .utf8) == "sales.csv line 1: no header\n")
        }
        #expect(names(state.rejected) == ["sales-2.csv", "sales-2.csv.error.txt", "sales.csv", "sales.csv.error.txt"])
    }

    @Test("a move that fails leaves no reason behind without its file")
    func failedMoveLeavesNoReason() throws {
        let inbox = Inbox(state: state)
        #expect(throws: InboxError.self) {
            try inbox.reject(state.inbox + "/gone.csv", error: "gone.csv: refused")
        }
        #expect(names(state.rejected).isEmpty)
    }
}
