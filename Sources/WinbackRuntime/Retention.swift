import Foundation
import WinbackConfig
import WinbackCore
import WinbackStore

#if canImport(Glibc)
    import Glibc
#elseif canImport(Musl)
    import Musl
#endif

/// What `[retention]` removes: imported files in `archive/` and day folders in `outbox/` older than their limit.
///
/// An entry is judged by its date and removed only when it is older than the limit; nothing else in the state
/// directory is looked at. An archived file's day is the day it was moved into `archive/`: its inode change time,
/// which the move sets (its modification time is the export's, and may be years older), or its modification time if
/// that is later. A day folder's day is its name. In `archive/` only regular files are taken, in `outbox/` only real
/// folders named `YYYY-MM-DD`: links, other folders and other names are left alone, and a link inside a removed
/// day folder is removed, never followed.
public struct Retention: Sendable {
    public var settings: RetentionSettings
    public var state: StateDirectory
    /// The time zone whose calendar dates an archived file (the config's, as for "today").
    public var timeZone: TimeZone

    public init(settings: RetentionSettings, state: StateDirectory, timeZone: TimeZone) {
        self.settings = settings
        self.state = state
        self.timeZone = timeZone
    }

    /// An entry older than its limit.
    public struct Entry: Sendable, Equatable, CustomStringConvertible {
        public var path: String
        /// Days between the entry's day and today.
        public var ageDays: Int
        public var description: String { "\(path) (\(ageDays) days old)" }
    }

    /// What a pruning removed, and what it could not remove with the reason.
    public struct Outcome: Sendable {
        public var removed: [Entry] = []
        public var failures: [(entry: Entry?, reason: String)] = []
    }

    /// Removes the entries older than the limits as of `today`. A failure (a folder that cannot be read, an entry
    /// that cannot be removed) is reported in the outcome and the rest goes on.
    public func prune(today: Day) -> Outcome {
        var outcome = Outcome()
        if settings.archiveDays > 0 {
            prune(state.archive, olderThan: settings.archiveDays, today: today, into: &outcome) { _, info in
                guard (info.st_mode & S_IFMT) == S_IFREG else { return nil }
                let seconds = max(info.st_ctim.tv_sec, info.st_mtim.tv_sec)
                return Day.local(at: Date(timeIntervalSince1970: TimeInterval(seconds)), in: timeZone).day
            } remove: { path in
                guard unlink(path) == 0 else { throw Self.failure(path) }
            }
        }
        if settings.outboxDays > 0 {
            prune(state.outbox, olderThan: settings.outboxDays, today: today, into: &outcome) { name, info in
                guard (info.st_mode & S_IFMT) == S_IFDIR, let day = Day(iso: name), day.iso == name else { return nil }
                return day
            } remove: { path in
                try Self.removeFolder(path)
            }
        }
        return outcome
    }

    /// Removes each entry of `folder` whose day, as `dayOf` reads it (nil: not ours to judge), is more than `limit`
    /// days before `today`.
    private func prune(
        _ folder: String, olderThan limit: Int, today: Day, into outcome: inout Outcome,
        dayOf: (_ name: String, _ info: stat) -> Day?, remove: (String) throws -> Void
    ) {
        guard FileManager.default.fileExists(atPath: folder) else { return }
        let names: [String]
        do {
            names = try Inbox.entries(of: folder)
        } catch {
            outcome.failures.append((nil, "\(error)"))
            return
        }
        for name in names {
            let path = folder + "/" + name
            var info = stat()
            guard lstat(path, &info) == 0, let day = dayOf(name, info) else { continue }
            let entry = Entry(path: path, ageDays: day.days(to: today))
            guard entry.ageDays > limit else { continue }
            do {
                try remove(path)
                outcome.removed.append(entry)
            } catch {
                outcome.failures.append((entry, oneLine(error)))
            }
        }
    }

    /// Removes the folder at `path` and everything in it. Every entry is opened relative to its folder's descriptor
    /// and never through a link: a link is removed as a link, even one swapped in for a folder meanwhile.
    static func removeFolder(_ path: String) throws {
        try removeTree(named: path, in: AT_FDCWD, path: path)
    }

    private static func removeTree(named name: String, in parent: Int32, path: String) throws {
        let descriptor = openat(parent, name, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC)
        guard descriptor >= 0 else {
            // Not a folder (any more): a file or a link, removed as such.
            guard errno == ENOTDIR || errno == ELOOP, unlinkat(parent, name, 0) == 0 else { throw failure(path) }
            return
        }
        guard let folder = fdopendir(descriptor) else {
            let error = failure(path)
            close(descriptor)
            throw error
        }
        defer { closedir(folder) }
        for child in Inbox.entries(of: folder) where unlinkat(descriptor, child, 0) != 0 {
            guard errno == EISDIR else { throw failure(path + "/" + child) }
            try removeTree(named: child, in: descriptor, path: path + "/" + child)
        }
        guard unlinkat(parent, name, AT_REMOVEDIR) == 0 else { throw failure(path) }
    }

    /// The last system call's failure on `path`.
    private static func failure(_ path: String) -> InboxError {
        InboxError(path: path, reason: String(cString: strerror(errno)))
    }
}
