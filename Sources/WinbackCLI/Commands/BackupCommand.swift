import ArgumentParser
import Foundation
import WinbackRuntime
import WinbackStore

/// `winback backup FILE`: a consistent copy of the database, taken while the daemon runs.
struct BackupCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "backup",
        abstract: "Copy the database consistently into FILE, while the daemon runs.",
        discussion: """
            The copy is the database as it was at one moment, checked with SQLite's integrity check, written aside \
            and renamed to FILE once complete. To restore it: stop the daemon, copy FILE over winback.sqlite in the \
            state directory, remove winback.sqlite-wal and winback.sqlite-shm, start the daemon.
            """)

    @OptionGroup var global: GlobalOptions

    @Argument(help: ArgumentHelp("The backup file to write.", valueName: "file"))
    var file: String

    @Flag(help: "Replace FILE if it exists.")
    var force = false

    func run() throws {
        let config = try global.loadConfig()
        let database = StateDirectory(root: config.stateDirectory).databasePath
        let started = Date()
        let copy: (path: String, bytes: Int64)
        do {
            copy = try Backup.write(database: database, to: file, replace: force)
        } catch let failure as Backup.Failure {
            throw CommandFailure(reason: failure.description)
        }
        let megabytes = String(format: "%.1f", Double(copy.bytes) / 1_048_576)
        let seconds = String(format: "%.1f", Date().timeIntervalSince(started))
        print("backed up \(database) to \(copy.path): \(megabytes) MB, integrity checked, in \(seconds) s")
    }
}
