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

extension InboxTests {
    @Test("a reason left without its file by a stop is written anew under its name; refused files keep theirs")
    func orphanReasonReused() throws {
        let inbox = Inbox(state: state)
        // A daemon stopped between writing bad.csv's reason and moving the file: the reason alone.
        try Data("old reason\n".utf8).write(to: URL(fileURLWithPath: state.rejected + "/bad.csv.error.txt"))
        // A refused file whose own name looks like a reason, with its reason beside it.
        try Data("x\n".utf8).write(to: URL(fileURLWithPath: state.rejected + "/odd.csv.error.txt"))
        try Data("why\n".utf8).write(to: URL(fileURLWithPath: state.rejected + "/odd.csv.error.txt.error.txt"))
        for name in ["bad.csv", "odd.csv"] {
            try Data("bad\n".utf8).write(to: URL(fileURLWithPath: state.inbox + "/" + name))
            try inbox.reject(state.inbox + "/" + name, error: "\(name) line 1: no header")
        }
        #expect(
            names(state.rejected) == [
                "bad.csv", "bad.csv.error.txt", "odd-2.csv", "odd-2.csv.error.txt", "odd.csv.error.txt",
                "odd.csv.error.txt.error.txt",
            ])
        #expect(
            try String(contentsOfFile: state.rejected + "/bad.csv.error.txt", encoding: .utf8)
                == "bad.csv line 1: no header\n")
        #expect(try String(contentsOfFile: state.rejected + "/odd.csv.error.txt", encoding: .utf8) == "x\n")
    }

    @Test("archiving never touches a file of the archive named like a reason")
    func archiveKeepsLookalikes() throws {
        let inbox = Inbox(state: state)
        try FileManager.default.createDirectory(atPath: state.archive, withIntermediateDirectories: true)
        try Data("kept\n".utf8).write(to: URL(fileURLWithPath: state.archive + "/data.csv.error.txt"))
        #expect(throws: InboxError.self) { try inbox.archive(state.inbox + "/data.csv") }
        #expect(names(state.archive) == ["data.csv.error.txt"])
    }
}
