import Foundation
import WinbackCSV
import WinbackConfig
import WinbackCore
import WinbackStore

/// What one import did.
public struct ImportResult: Sendable, Equatable {
    public var path: String
    public var kind: InputKind?
    /// Data rows read (header and blank lines not counted).
    public var rows: Int
    /// Rows stored now.
    public var inserted: Int
    /// Rows already stored by an earlier import (a re-export of overlapping days).
    public var duplicates: Int
    /// Contacts of clients the book does not know: kept out of it, not to create clients that never bought.
    public var unknownClients = 0
    /// Of the duplicates, those that carried other values and replaced the stored line: the ERP's corrections.
    public var corrected: Int = 0
    /// Of the duplicates, those that carried other values and were dropped (`[import] changed_lines = "keep"`).
    public var changedKept: Int = 0
    /// Set when this exact file had been imported before: nothing was read again.
    public var previousImport: ImportRecord?
    public var importID: Int64?
}

/// Imports sales, contacts and clients files: one file, one transaction, all rows or none.
///
/// A file is recognised by its header. Its content hash is checked against the ledger first, so the same
/// file imported again costs one read. Every row is parsed and checked; if any is bad, the transaction is
/// rolled back, the refusal is written to the ledger, and ``ImportFailure/refused(path:problems:unlisted:)``
/// names every bad line.
public struct Importer: Sendable {
    public let database: AppDatabase
    public let settings: ImportSettings
    /// Whether a symbolic link given as a file is followed (the CLI) or refused (the daemon's inbox).
    public var followLinks = true
    /// Ticked at every batch of rows; a stop asked there rolls the file's transaction back
    /// (``WorkControl/Stopped`` is thrown, and nothing of the file is stored).
    public var control: WorkControl?
    private let now: @Sendable () -> Date
    private let today: @Sendable () -> Day

    /// `today` dates the `import_rejected` alert of a refused file (the configured time zone's today).
    public init(
        database: AppDatabase, settings: ImportSettings, now: @escaping @Sendable () -> Date = Date.init,
        today: @escaping @Sendable () -> Day = { WinbackConfig().today() }
    ) {
        self.database = database
        self.settings = settings
        self.now = now
        self.today = today
    }

    /// Imports one file; `kind` forces its kind instead of recognising it from the header.
    public func importFile(at path: String, kind forcedKind: InputKind? = nil) throws -> ImportResult {
        let started = timestamp()
        let source = try FileByteSource(path: path, followLinks: followLinks)
        let (sha256, bytes) = try source.sha256()
        let fileName = URL(fileURLWithPath: path).lastPathComponent
        var result = ImportResult(path: path, rows: 0, inserted: 0, duplicates: 0)
        if let previous = try database.importedFile(sha256: sha256) {
            result.previousImport = previous
            result.kind = previous.kind.flatMap(InputKind.init(rawValue:))
            return result
        }

        var problems: [BadLine] = []
        var unlisted = 0
        func note(_ problem: BadLine) {
            if problems.count < settings.maxListedErrors { problems.append(problem) } else { unlisted += 1 }
        }
        let dates = try DateParser(extraPatterns: settings.dateFormats)

        // The store checks again under the write lock that no other process imported the same content meanwhile.
        result.previousImport = try database.importFile(sha256: sha256) { session in
            let reader = CSVReader(
                source: settings.encoding.map { TranscodingByteSource(base: source, encoding: $0) } ?? source)
            do {
                guard try reader.next() else {
                    note(BadLine(line: 1, column: "header", reason: "the file is empty"))
                    return .rollback
                }
                let header: HeaderMap
                do {
                    header = try HeaderMap.read(
                        header: reader.strings(), renames: settings.columns, forced: forcedKind)
                } catch let error as BadLine {
                    note(error)
                    return .rollback
                }
                result.kind = header.kind
                let importID = try session.begin(
                    ImportRecord(
                        fileName: fileName, sha256: sha256, kind: header.kind.rawValue, bytes: bytes,
                        startedAt: started, finishedAt: started, outcome: .imported))
                let rows = RowDecoder(
                    reader: reader, header: header, dates: dates,
                    numbers: DecimalParser(delimiter: reader.delimiter!))
                try copyRows(
                    kind: header.kind, reader: reader, rows: rows, session: session, importID: importID,
                    result: &result, note: note)
                guard problems.isEmpty, unlisted == 0 else { return .rollback }
                try session.finish(
                    rows: result.rows, inserted: result.inserted, duplicates: result.duplicates,
                    corrected: result.corrected, finishedAt: timestamp())
                result.importID = importID
                return .commit
            } catch let error as CSVReadError {
                note(BadLine(line: error.line, column: "row", reason: error.reason))
                return .rollback
            }
        }
        guard problems.isEmpty else {
            // Repeats within the file are found when their batch is stored, after later rows were checked.
            problems.sort { $0.line < $1.line }
            // A file in another encoding: one line that names the setting, not a hundred lines of the same.
            if let encoding = problems.first(where: \.isEncodingProblem) {
                problems = [encoding]
                unlisted = 0
            }
            let failure = ImportFailure.refused(path: path, problems: problems, unlisted: unlisted)
            try database.recordRejection(
                ImportRecord(
                    fileName: fileName, sha256: sha256, kind: result.kind?.rawValue, bytes: bytes,
                    rows: result.rows, startedAt: started, finishedAt: timestamp(), outcome: .rejected,
                    error: failure.description))
            try database.raiseImportRejected(fileName: fileName, sha256: sha256, problem: failure.summary, on: today())
            throw failure
        }
        return result
    }

    /// Reads every data row and stores every good one, so that repeats within the file are found too; the caller
    /// rolls the transaction back if any row was bad.
    private func copyRows(
        kind: InputKind, reader: CSVReader, rows: RowDecoder, session: ImportSession,
        importID: Int64, result: inout ImportResult, note: (BadLine) -> Void
    ) throws {
        switch kind {
        case .sales:
            let writer = try session.salesWriter(replaceChanged: settings.changedLines == .replace, control: control)
            func count(_ written: [SalesWriter.Written], _ result: inout ImportResult) {
                for row in written {
                    switch row.outcome {
                    case .duplicate(let stored) where stored.importID == importID:
                        note(
                            BadLine(
                                line: row.sourceLine, column: "line",
                                reason: "document \(quoted(row.line.document)) line \(row.line.line) "
                                    + "already appears on line \(stored.sourceLine)"))
                    case .duplicate(let stored):
                        result.duplicates += 1
                        if !stored.sameContent { result.changedKept += 1 }
                    case .corrected:
                        result.duplicates += 1
                        result.corrected += 1
                    }
                }
            }
            let pipeline = RowPipeline(reader: reader, decoder: rows) { $0.saleLine() }
            try drain(pipeline, result: &result, note: note) { line, sourceLine, result in
                count(try writer.add(line, sourceLine: sourceLine), &result)
            }
            count(try writer.finish(), &result)
            result.inserted = writer.inserted
        case .contacts:
            let writer = try session.masterDataWriter()
            let pipeline = RowPipeline(reader: reader, decoder: rows) { $0.contact() }
            try drain(pipeline, result: &result, note: note) { contact, _, result in
                switch try writer.insert(contact) {
                case .stored: result.inserted += 1
                case .duplicate: result.duplicates += 1
                case .unknownClient: result.unknownClients += 1
                }
            }
        case .clients:
            let writer = try session.masterDataWriter()
            let pipeline = RowPipeline(reader: reader, decoder: rows) { $0.clientProfile() }
            try drain(pipeline, result: &result, note: note) { profile, _, result in
                try writer.upsert(profile)
                result.inserted += 1
            }
        }
    }

    /// Feeds each decoded row to `store` in file order and notes the bad ones.
    private func drain<Value: Sendable>(
        _ pipeline: RowPipeline<Value>, result: inout ImportResult, note: (BadLine) -> Void,
        store: (Value, Int, inout ImportResult) throws -> Void
    ) throws {
        defer { pipeline.cancel() }
        while let batch = try pipeline.next() {
            try control?.checkpoint()
            result.rows += batch.count
            for item in batch {
                switch item {
                case .value(let value, let line):
                    try store(value, line, &result)
                case .bad(let problems):
                    problems.forEach(note)
                }
            }
        }
    }

    private func timestamp() -> String {
        let formatter = ISO8601DateFormatter()
        return formatter.string(from: now())
    }
}
