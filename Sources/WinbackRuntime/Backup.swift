import Foundation
import WinbackOutbox
import WinbackStore

#if canImport(Glibc)
    import Glibc
#elseif canImport(Musl)
    import Musl
#endif

/// `winback backup FILE`: a consistent copy of the live database, made while the daemon runs, written aside and
/// renamed into place so that nobody ever sees half a backup under its name.
public enum Backup {
    /// Why no backup was written, in one line.
    public struct Failure: Error, CustomStringConvertible {
        public var description: String
    }

    /// Copies the database at `database` to `target` (see ``AppDatabase/backup(databaseAt:into:pagesPerStep:afterStep:)``):
    /// first into a hidden file beside `target`, then, once the copy passed SQLite's integrity check and is on disk,
    /// under its name. An existing `target` is replaced only when `replace` is true; even then never a folder, nor
    /// the database itself. Returns the copy's path and size in bytes.
    @discardableResult
    public static func write(database: String, to target: String, replace: Bool) throws -> (path: String, bytes: Int64)
    {
        let target = URL(fileURLWithPath: target).standardizedFileURL.path
        let folder = (target as NSString).deletingLastPathComponent
        var info = stat()
        guard stat(folder, &info) == 0 else {
            throw Failure(description: "cannot write \(target): the folder \(folder) \(reason(errno))")
        }
        guard (info.st_mode & S_IFMT) == S_IFDIR else {
            throw Failure(description: "cannot write \(target): \(folder) is not a folder")
        }
        guard access(folder, W_OK | X_OK) == 0 else {
            throw Failure(description: "cannot write \(target): the folder \(folder) is not writable by this user")
        }
        var source = stat()
        guard stat(database, &source) == 0, (source.st_mode & S_IFMT) == S_IFREG else {
            throw Failure(description: "no database to back up at \(database) (is state_dir right?)")
        }
        // The database's own companions: replacing a live WAL would lose what it holds.
        let live = URL(fileURLWithPath: database).standardizedFileURL.path
        for suffix in ["-wal", "-shm", "-journal"] where target == live + suffix {
            throw Failure(description: "\(target) belongs to the live database: back it up to another file")
        }
        if lstat(target, &info) == 0 {
            if (info.st_mode & S_IFMT) == S_IFDIR {
                throw Failure(description: "\(target) is a folder: name the backup file to write")
            }
            // A device (/dev/null), a FIFO or a socket is never replaced, even with --force; a link may point to
            // a regular file, which is checked through it below.
            let kind = info.st_mode & S_IFMT
            if kind != S_IFREG, kind != S_IFLNK {
                throw Failure(description: "\(target) is not a regular file: name a file to write")
            }
            if stat(target, &info) == 0, info.st_dev == source.st_dev, info.st_ino == source.st_ino {
                throw Failure(description: "\(target) is the live database itself: back it up to another file")
            }
            guard replace else { throw exists(target) }
        }

        let temporary = folder + "/." + (target as NSString).lastPathComponent + ".\(getpid()).tmp"
        // Left by a backup killed mid-way under the same process id: never visible under a real name.
        unlink(temporary)
        unlink(temporary + "-journal")
        // Readable by the operators' group (as the outbox's files), by nobody else: it holds every sale.
        let descriptor = open(temporary, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC | O_NOFOLLOW, 0o640)
        guard descriptor >= 0 else { throw Failure(description: "cannot write \(temporary): \(reason(errno))") }
        fchmod(descriptor, 0o640)
        close(descriptor)
        do {
            try AppDatabase.backup(databaseAt: database, into: temporary)
            try flush(temporary)
            try publish(temporary, as: target, replace: replace)
            try AtomicFile.syncDirectory(containing: target)
        } catch {
            unlink(temporary)
            unlink(temporary + "-journal")
            throw error
        }
        guard stat(target, &info) == 0 else { throw Failure(description: "\(target): \(reason(errno))") }
        return (target, Int64(info.st_size))
    }

    /// Renames `temporary` to `path`; without `replace`, links it there instead, which fails on a file that appeared
    /// since the check, rather than replace it (on a file system without hard links: the check, then the rename).
    private static func publish(_ temporary: String, as path: String, replace: Bool) throws {
        if !replace {
            if link(temporary, path) == 0 {
                unlink(temporary)
                return
            }
            guard errno == EPERM || errno == EOPNOTSUPP || errno == EMLINK else {
                throw errno == EEXIST ? exists(path) : Failure(description: "cannot write \(path): \(reason(errno))")
            }
            var info = stat()
            if lstat(path, &info) == 0 { throw exists(path) }
        }
        guard rename(temporary, path) == 0 else {
            throw Failure(description: "cannot write \(path): \(reason(errno))")
        }
    }

    /// Flushes the copy's bytes to disk before it gets its name.
    private static func flush(_ path: String) throws {
        let descriptor = open(path, O_RDONLY | O_CLOEXEC)
        guard descriptor >= 0 else { throw Failure(description: "\(path): \(reason(errno))") }
        defer { close(descriptor) }
        guard fsync(descriptor) == 0 else { throw Failure(description: "\(path): fsync: \(reason(errno))") }
    }

    private static func exists(_ path: String) -> Failure {
        Failure(description: "\(path) already exists: give --force to replace it")
    }

    private static func reason(_ code: Int32) -> String {
        code == ENOENT ? "does not exist" : String(cString: strerror(code))
    }
}
