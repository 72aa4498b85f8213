import Foundation
import WinbackCore

#if canImport(Glibc)
    import Glibc
#elseif canImport(Musl)
    import Musl
#elseif canImport(Darwin)
    import Darwin
#endif

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

    /// Folders: the owner and the operators' group read and write, new files inherit the group (setgid);
    /// nobody else gets in.
    public static let directoryMode: mode_t = 0o2770
    /// The database: the owner and the operators' group read and write it (acknowledging alerts is a write).
    public static let databaseMode: mode_t = 0o660

    /// Makes a folder the operators' group shares inside the state directory: read, write and enter for the owner
    /// and the group, nothing for others, whatever the umask. The setgid bit (new files take the group) comes from
    /// the parent folder, as Linux passes it on, and is kept; it is never set here, which a sandbox such as
    /// systemd's `RestrictSUIDSGID=yes` refuses. Returns 0, or the errno of the failure; an existing folder is left.
    public static func makeSharedFolder(_ path: String) -> Int32 {
        guard mkdir(path, 0o770) == 0 else { return errno == EEXIST ? 0 : errno }
        var info = stat()
        let inherited = stat(path, &info) == 0 ? info.st_mode & S_ISGID : 0
        chmod(path, 0o770 | inherited)
        return 0
    }

    /// Creates whatever part of the layout is missing, with the shared group's permissions and no more,
    /// whatever the umask; existing folders and files keep the modes an admin gave them.
    public func prepare() throws {
        if !FileManager.default.fileExists(atPath: root) {
            do {
                try FileManager.default.createDirectory(atPath: root, withIntermediateDirectories: true)
            } catch {
                throw Failure(path: root, reason: "cannot be created: \(error.localizedDescription)")
            }
            // Under a sandbox that refuses the setgid bit (systemd's RestrictSUIDSGID), without it.
            if chmod(root, Self.directoryMode) != 0 { chmod(root, 0o770) }
        }
        for path in [inbox, archive, rejected, outbox] where !FileManager.default.fileExists(atPath: path) {
            let error = Self.makeSharedFolder(path)
            guard error == 0 else {
                throw Failure(path: path, reason: "cannot be created: \(String(cString: strerror(error)))")
            }
        }
        guard FileManager.default.isWritableFile(atPath: root) else {
            throw Failure(path: root, reason: "is not writable by this user")
        }
        // SQLite gives its -wal and -shm files the mode of the database file: create that one first.
        if !FileManager.default.fileExists(atPath: databasePath) {
            let descriptor = open(databasePath, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC | O_NOFOLLOW, Self.databaseMode)
            if descriptor >= 0 {
                fchmod(descriptor, Self.databaseMode)
                close(descriptor)
            }
        }
    }
}
