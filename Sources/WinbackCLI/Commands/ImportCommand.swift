import WinbackReports
import ArgumentParser
import Foundation
import WinbackCore
import WinbackImport

extension InputKind: ExpressibleByArgument {}

/// `winback import FILE...`: imports sales, contacts or clients files now, each in its own transaction.
struct ImportCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "import",
        abstract: "Import sales, contacts or clients CSV files now.",
        discussion: """
            Each file is recognised strictly by its header (or read as --kind says) and imported whole or not at all. A file with bad lines \
            is refused, and every bad line is named as FILE:LINE: column: reason. Lines already stored \
            (a re-export of overlapping days) are stored once.
            """)

    @OptionGroup var global: GlobalOptions

    @Option(help: "Read every file as this kind instead of recognising it from its header.")
    var kind: InputKind?

    @Argument(help: ArgumentHelp("The CSV files.", valueName: "file"))
    var files: [String]

    func run() throws {
        let (config, database) = try global.open()
        let importer = Importer(database: database, settings: config.importing, today: { config.today() })
        var refused: [String] = []
        var details: [String] = []
        for file in files {
            let started = Date()
            do {
                let result = try importer.importFile(at: file, kind: kind)
                print(Self.describe(result, seconds: Date().timeIntervalSince(started)))
            } catch let failure as ImportFailure {
                details.append(failure.description)
                refused.append(file)
            }
        }
        if !refused.isEmpty {
            let which = refused.count == 1 ? refused[0] : "\(refused.count) of \(files.count) files"
            throw CommandFailure(
                reason: "\(which) not imported; nothing of \(refused.count == 1 ? "it" : "them") was stored",
                details: details.joined(separator: "\n"))
        }
    }

    static func describe(_ result: ImportResult, seconds: Double) -> String {
        let kind = result.kind?.rawValue ?? "file"
        if let previous = result.previousImport {
            let what = result.kind.map { "\($0.rawValue) file" } ?? "file"
            return "\(result.path): this \(what) was already imported (import #\(previous.id ?? 0), \(previous.finishedAt)); nothing to do"
        }
        var text = "\(result.path): \(kind), \(result.rows) rows: \(result.inserted) stored"
        if result.duplicates > 0 { text += ", \(result.duplicates) already stored" }
        if result.unknownClients > 0 {
            text += "; \(result.unknownClients) contacts of clients not in the book were left out (import their sales or a clients file first)"
        }
        if result.corrected > 0 {
            text += " (\(result.corrected) of them with other values: the stored lines were corrected)"
        }
        if result.changedKept > 0 {
            text += " (\(result.changedKept) of them with other values, dropped: changed_lines = \"keep\")"
        }
        if seconds > 0.05 {
            text += String(format: "; %.2f s, %.0f rows/s", seconds, Double(result.rows) / seconds)
        }
        return text
    }
}
