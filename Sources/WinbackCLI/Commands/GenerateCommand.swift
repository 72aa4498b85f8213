import WinbackReports
import ArgumentParser
import Foundation
import WinbackCore
import WinbackSimulation

/// `winback generate`: writes a realistic generated sales export, for trying winback out and for benchmarks.
struct GenerateCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "generate",
        abstract: "Write a realistic generated sales export (for trials and benchmarks).",
        discussion: """
            Clients of every size and buying rhythm, some of which stop, slow down, decline, drop a \
            category or come back. The same seed gives the same file.

            With --realistic, a book as a wholesaler sees it: orders on working days only, a shutdown \
            from December 23 to January 6, an August in which most orders slip by weeks, seasonal, \
            irregular and project buyers, new clients, and clients that decline slowly or sharply, slow \
            down before they leave, or leave.
            """)

    @Option(help: "How many clients.")
    var clients = 300

    @Option(help: ArgumentHelp("First day of the history.", valueName: "YYYY-MM-DD"))
    var from = Day(iso: "2025-01-01")!

    @Option(help: ArgumentHelp("Last day of the history.", valueName: "YYYY-MM-DD"))
    var to = Day(iso: "2025-12-31")!

    @Option(help: "Stop after this many lines (the history is then cut short).")
    var lines: Int?

    @Option(help: "comma (ISO dates, decimal point) or semicolon (BOM, DD.MM.YYYY, decimal comma, CRLF).")
    var style: SalesCSVFormat = .comma

    @Flag(help: "Write the realistic book: working days, year-end shutdown, August, seasonal and lumpy buyers.")
    var realistic = false

    @Option(help: "Seed of the generator.")
    var seed: UInt64 = 1

    @Option(name: .shortAndLong, help: ArgumentHelp("Write here instead of to standard output.", valueName: "file"))
    var output: String?

    func validate() throws {
        guard from <= to else { throw ValidationError("--from must not be after --to") }
    }

    func run() throws {
        let (start, end, format) = (from, to, style)
        let sink = try OutputSink(path: output)
        sink.write(format.header)
        var written = 0
        let limit = lines ?? .max
        struct Done: Error {}
        let write = { (line: SaleLine) throws in
            guard written < limit else { throw Done() }
            sink.write(format.line(line))
            written += 1
        }
        do {
            if realistic {
                let scenario = RealisticScenario(clients: clients, start: start, end: end, seed: seed)
                try RealisticBook(scenario).generate(write)
            } else {
                try SalesGenerator(SalesScenario(clients: clients, start: start, end: end, seed: seed)).generate(write)
            }
        } catch is Done {}
        try sink.finish()
        if output != nil {
            FileHandle.standardError.write(Data("wrote \(written) lines for \(clients) clients\n".utf8))
        }
    }
}

/// Buffered writing to a file or standard output.
final class OutputSink {
    private let handle: FileHandle
    private var buffer = Data()

    init(path: String?) throws {
        if let path {
            guard FileManager.default.createFile(atPath: path, contents: nil) else {
                throw CommandFailure(reason: "\(path): cannot be created")
            }
            handle = try FileHandle(forWritingTo: URL(fileURLWithPath: path))
        } else {
            handle = .standardOutput
        }
        buffer.reserveCapacity(1 << 20)
    }

    func write(_ text: String) {
        buffer.append(contentsOf: text.utf8)
        if buffer.count >= 1 << 20 { flush() }
    }

    private func flush() {
        handle.write(buffer)
        buffer.removeAll(keepingCapacity: true)
    }

    func finish() throws {
        flush()
        if handle !== FileHandle.standardOutput { try handle.close() }
    }
}
