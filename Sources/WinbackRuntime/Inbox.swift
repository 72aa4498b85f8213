import Foundation
import WinbackStore

#if canImport(Glibc)
    import Glibc
#elseif canImport(Musl)
    import Musl
#endif

/// The inbox: files dropped in `inbox/` are claimed by rename, imported, and moved to `archive/` or to
/// `rejected/` with an `.error.txt` beside them.
///
/// A file is claimed by renaming it into `inbox/.processing/`: the rename succeeds for one taker only, so a
/// second daemon or a retry never imports a file twice. Dot-files, folders and anything that is not a
/// regular file are left alone, and so are files still growing: a file is taken once its size and time
/// have not changed for `settle` seconds, or between two looks.
final class Inbox {
    let state: StateDirectory
    private var lastLook: [String: (size: Int64, modified: TimeInterval)] = [:]

    init(state: StateDirectory) {
        self.state = state
    }

    var processing: String { state.inbox + "/.processing" }

    /// What is in the inbox: the files ready to take, and entries that are not regular files at all.
    func look(now: Date, settle: TimeInterval) throws -> (ready: [String], strangers: [(name: String, what: String)]) {
        let names = try FileManager.default.contentsOfDirectory(atPath: state.inbox).sorted()
        var ready: [String] = []
        var strangers: [(String, String)] = []
        var looked: [String: (size: Int64, modified: TimeInterval)] = [:]
        for name in names where !name.hasPrefix(".") {
            var info = stat()
            guard lstat(state.inbox + "/" + name, &info) == 0 else { continue }
            switch info.st_mode & S_IFMT {
            case S_IFREG: break
            case S_IFLNK:
                strangers.append((name, "a symbolic link (winback imports files, not links to them)"))
                continue
            case S_IFDIR:
                strangers.append((name, "a directory (drop the files themselves into inbox/)"))
                continue
            default:
                strangers.append((name, "not a regular file"))
                continue
            }
            let now = (size: Int64(info.st_size), modified: TimeInterval(info.st_mtim.tv_sec) + TimeInterval(info.st_mtim.tv_nsec) / 1e9)
            looked[name] = now
            let unchangedSinceLastLook = lastLook[name].map { $0 == now } ?? false
            if unchangedSinceLastLook || Date().timeIntervalSince1970 - now.modified >= settle {
                ready.append(name)
            }
        }
        lastLook = looked
        return (ready, strangers)
    }

    /// Moves an entry that is not a regular file (a link, a folder) to `rejected/` as it is, without
    /// following it, with the reason beside it.
    @discardableResult
    func rejectStranger(_ name: String, what: String) throws -> String? {
        try reject(state.inbox + "/" + name, error: "\(name): refused: \(what)")
    }

    /// Moves the file into `.processing/`; nil when another taker was first.
    func claim(_ name: String) throws -> String? {
        try makeDirectory(processing)
        let target = processing + "/" + name
        guard rename(state.inbox + "/" + name, target) == 0 else {
            if errno == ENOENT { return nil }
            throw InboxError(path: state.inbox + "/" + name, reason: String(cString: strerror(errno)))
        }
        return target
    }

    /// Files a previous run claimed but did not finish (it stopped or crashed mid-import).
    func leftovers() -> [String] {
        let names = (try? FileManager.default.contentsOfDirectory(atPath: processing)) ?? []
        return names.filter { !$0.hasPrefix(".") }.sorted().map { processing + "/" + $0 }
    }

    /// Moves an imported file to `archive/`.
    @discardableResult
    func archive(_ path: String) throws -> String {
        try move(path, into: state.archive)
    }

    /// Moves a refused file to `rejected/`, with `NAME.error.txt` naming every bad line and why.
    @discardableResult
    func reject(_ path: String, error: String) throws -> String {
        let target = try move(path, into: state.rejected)
        try Data((error + "\n").utf8).write(to: URL(fileURLWithPath: target + ".error.txt"), options: .atomic)
        chmod(target + ".error.txt", 0o640)
        return target
    }

    /// Renames into `folder`, keeping the name, or adding `-2`, `-3`… before the extension if it is taken.
    private func move(_ path: String, into folder: String) throws -> String {
        try makeDirectory(folder)
        let name = (path as NSString).lastPathComponent
        let stem = (name as NSString).deletingPathExtension
        let ext = (name as NSString).pathExtension
        var target = folder + "/" + name
        var counter = 2
        while FileManager.default.fileExists(atPath: target) || FileManager.default.fileExists(atPath: target + ".error.txt") {
            target = folder + "/" + stem + "-\(counter)" + (ext.isEmpty ? "" : "." + ext)
            counter += 1
        }
        guard rename(path, target) == 0 else {
            throw InboxError(path: path, reason: String(cString: strerror(errno)))
        }
        return target
    }

    private func makeDirectory(_ path: String) throws {
        if mkdir(path, 0o2770) != 0, errno != EEXIST {
            throw InboxError(path: path, reason: String(cString: strerror(errno)))
        }
    }
}

struct InboxError: Error, CustomStringConvertible {
    var path: String
    var reason: String
    var description: String { "\(path): \(reason)" }
}
