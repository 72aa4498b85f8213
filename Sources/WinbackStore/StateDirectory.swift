import Foundation
import WinbackCore

/// The state directory's layout: the database, `inbox/`, `archive/`, `rejected/` and `outbox/`.
public struct StateDirectory: Sendable {
    public let root: String

    public init(root: String) {
        self.root = root
    }

    public var databasePath: String { root + "/winback.sqlite" }
    public var inbox: String { root + "/inbox" }
    public var archive: String { root + "/archive" }
    public var rejected: String { root + "/rejected" }
    public var outbox: String { root + "/outbox" }

    public struct Failure: Error, CustomStringConvertible {
        public var path: String
        public var reason: String
        public var description: String { "state directory \(path): \(reason)" }
    }

    /// Creates whatever part of the layout is missing.
    public func prepare() throws {
        for path in [root, inbox, archive, rejected, outbox] {
            do {
                try FileManager.default.createDirectory(atPath: path, withIntermediateDirectories: true)
            } catch {
                throw Failure(path: path, reason: "cannot be created: \(error.localizedDescription)")
            }
        }
        guard FileManager.default.isWritableFile(atPath: root) else {
            throw Failure(path: root, reason: "is not writable by this user")
        }
    }
}
