import Foundation
import WinbackTestSupport
import WinbackConfig
import WinbackImport
import WinbackStore

/// A fresh database and a folder to write files into, for one test.
struct ImportFixture {
    /// Removed when the last copy of the fixture goes.
    let scratch: TemporaryFolder
    let database: AppDatabase
    var settings = ImportSettings()
    var folder: URL { scratch.url }

    init() throws {
        scratch = try TemporaryFolder("winback-import")
        database = try AppDatabase.open(path: scratch.url.appendingPathComponent("winback.sqlite").path)
    }

    var importer: Importer {
        Importer(database: database, settings: settings, now: { Date(timeIntervalSince1970: 1_763_800_000) })
    }

    /// Writes `text` (or raw bytes) to a file named `name` and returns its path.
    func file(_ name: String, _ text: String) throws -> String {
        try file(name, bytes: Array(text.utf8))
    }

    func file(_ name: String, bytes: [UInt8]) throws -> String {
        let url = folder.appendingPathComponent(name)
        try Data(bytes).write(to: url)
        return url.path
    }

    /// Imports the file and returns the refusal's lines (without the path prefix), failing if it was imported.
    func refusal(_ path: String) throws -> [String] {
        do {
            let report = try importer.importFile(at: path)
            throw UnexpectedImport(report: report)
        } catch let failure as ImportFailure {
            guard case .refused(_, let problems, let unlisted) = failure else { return [failure.description] }
            return problems.map(\.description) + (unlisted > 0 ? ["+\(unlisted)"] : [])
        }
    }

    struct UnexpectedImport: Error, CustomStringConvertible {
        var report: ImportResult
        var description: String { "the file was imported: \(report)" }
    }
}
