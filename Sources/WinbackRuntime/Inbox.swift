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
        let names = try Self.entries(of: state.inbox)
        var ready: [String] = []
        var strangers: [(String, String)] = []
        var looked: [String: (size: Int64, modified: TimeInterval)] = [:]
        for name in names where !name.hasPrefix(".") {
            var info = stat()
            guard lstat(state.inbox + "/" + name, &info) == 0 else { continue }
            if let what = Self.notAFile(info) {
                strangers.append((name, what))
                continue
            }
            let now = (
                size: Int64(info.st_size),
                modified: TimeInterval(info.st_mtim.tv_sec) + TimeInterval(info.st_mtim.tv_nsec) / 1e9
            )
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

    /// Files a previous run claimed but did not finish (it stopped or crashed mid-import), and entries of
    /// `.processing/` that are no regular file at all (planted there: it is writable by the operators' group).
    func leftovers() -> (files: [String], strangers: [(path: String, what: String)]) {
        let names = (try? Self.entries(of: processing)) ?? []
        var files: [String] = []
        var strangers: [(String, String)] = []
        for name in names where !name.hasPrefix(".") {
            let path = processing + "/" + name
            var info = stat()
            guard lstat(path, &info) == 0 else { continue }
            if let what = Self.notAFile(info) { strangers.append((path, what)) } else { files.append(path) }
        }
        return (files, strangers)
    }

    /// Why an entry is not taken as a file, or nil for a regular file; from `lstat`, so a link is not followed.
    static func notAFile(_ info: stat) -> String? {
        switch info.st_mode & S_IFMT {
        case S_IFREG: return nil
        case S_IFLNK: return "a symbolic link (winback imports files, not links to them)"
        case S_IFDIR: return "a directory (drop the files themselves into inbox/)"
        case S_IFIFO: return "a named pipe, not a regular file"
        default: return "not a regular file"
        }
    }

    /// The names in a folder, sorted; an error says in one line why the folder cannot be read.
    static func entries(of folder: String) throws -> [String] {
        guard let directory = opendir(folder) else {
            throw InboxError(path: folder, reason: "cannot be read: " + String(cString: strerror(errno)))
        }
        defer { closedir(directory) }
        return entries(of: directory).sorted()
    }

    /// The names in an open folder, but `.` and `..`, in the folder's order.
    static func entries(of directory: OpaquePointer) -> [String] {
        var names: [String] = []
        while let entry = readdir(directory) {
            let name = withUnsafeBytes(of: entry.pointee.d_name) { raw in
                String(cString: raw.bindMemory(to: CChar.self).baseAddress!)
            }
            if name != ".", name != ".." { names.append(name) }
        }
        return names
    }

    /// Moves an imported file to `archive/`.
    @discardableResult
    func archive(_ path: String) throws -> String {
        try move(path, into: state.archive)
    }

    /// Moves a refused file to `rejected/`, with `NAME.error.txt` naming every bad line and why.
    ///
    /// The reason is written before the file is moved: whoever sees the file in `rejected/` finds its reason beside
    /// it. A daemon stopped in between leaves the file where the next start takes it up again, and a reason without
    /// its file, which that retry writes again under the same name.
    @discardableResult
    func reject(_ path: String, error: String) throws -> String {
        var written: String?
        do {
            return try move(path, into: state.rejected) { target in
                try Data((error + "\n").utf8).write(to: URL(fileURLWithPath: target + ".error.txt"), options: .atomic)
                written = target + ".error.txt"
                chmod(target + ".error.txt", 0o640)
            }
        } catch {
            // The file could not follow its reason: no reason stays without its file.
            if let written { unlink(written) }
            throw error
        }
    }

    /// Renames into `folder`, keeping the name, or adding `-2`, `-3`… before the extension if it is taken. A name
    /// too long for that (and for the `.error.txt` beside a refused file) is shortened, never refused: a file the
    /// database took must leave `.processing/`. `before` is called with the target before the rename.
    private func move(
        _ path: String, into folder: String, before: (String) throws -> Void = { _ in }
    ) throws -> String {
        try makeDirectory(folder)
        let name = (path as NSString).lastPathComponent
        var stem = (name as NSString).deletingPathExtension
        var ext = (name as NSString).pathExtension
        if ext.utf8.count > 16 {
            stem = name
            ext = ""
        }
        // NAME_MAX is 255 bytes: room for "-999999", the dot and extension, and ".error.txt".
        stem = Self.prefix(stem, bytes: 255 - 7 - (ext.isEmpty ? 0 : ext.utf8.count + 1) - 10)
        var target = folder + "/" + stem + (ext.isEmpty ? "" : "." + ext)
        var counter = 2
        while Self.taken(target) {
            target = folder + "/" + stem + "-\(counter)" + (ext.isEmpty ? "" : "." + ext)
            counter += 1
        }
        try before(target)
        guard rename(path, target) == 0 else {
            throw InboxError(path: path, reason: String(cString: strerror(errno)))
        }
        return target
    }

    /// Whether a move may not use `path`: something is there (a link or a folder too, even a dangling link), or a
    /// reason is there that belongs to a file. A reason whose file is not there, and that is no refused file itself
    /// (those have a reason of their own), was left by a daemon stopped between writing it and moving its file: the
    /// retry that refuses the file again writes it anew.
    static func taken(_ path: String) -> Bool {
        var info = stat()
        if lstat(path, &info) == 0 { return true }
        let reason = path + ".error.txt"
        guard lstat(reason, &info) == 0 else { return false }
        return (info.st_mode & S_IFMT) != S_IFREG || lstat(reason + ".error.txt", &info) == 0
    }

    /// The longest start of `text` that fits in `bytes` bytes of UTF-8, cut between characters.
    static func prefix(_ text: String, bytes: Int) -> String {
        guard text.utf8.count > bytes else { return text }
        var out = ""
        var used = 0
        for character in text {
            let size = character.utf8.count
            if used + size > bytes { break }
            out.append(character)
            used += size
        }
        return out
    }

    /// Makes a folder the operators' group works in too (see ``StateDirectory/makeSharedFolder(_:)``).
    private func makeDirectory(_ path: String) throws {
        let error = StateDirectory.makeSharedFolder(path)
        guard error == 0 else { throw InboxError(path: path, reason: String(cString: strerror(error))) }
    }
}

struct InboxError: Error, CustomStringConvertible {
    var path: String
    var reason: String
    var description: String { "\(path): \(reason)" }
}
