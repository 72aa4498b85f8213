import Foundation
import WinbackCore
import WinbackReports
import WinbackStore

#if canImport(Glibc)
    import Glibc
#elseif canImport(Musl)
    import Musl
#elseif canImport(Darwin)
    import Darwin
#endif

/// The daily alert files people and scripts read: `outbox/YYYY-MM-DD/` with `alerts.jsonl`, `alerts.csv`,
/// `winback.csv`, `digest.md` and `digest.html`, and `managers/NAME/` with each manager's own digest and CSVs.
///
/// Each file is written aside, flushed to disk and renamed into place, then the directory is flushed, so a
/// reader sees the old file or the new one, never half of one. Writing a day again replaces its files.
public struct Outbox: Sendable {
    /// The `outbox/` folder of the state directory.
    public let directory: String
    /// The config's `[locale]`: the digest's numbers and the CSVs' dialect.
    public let locale: OutputLocale

    public init(directory: String, locale: OutputLocale = .plain) {
        self.directory = directory
        self.locale = locale
    }

    public struct Failure: Error, CustomStringConvertible {
        public var path: String
        public var reason: String
        public var description: String { "\(path): \(reason)" }
    }

    /// The folder of one day.
    public func folder(for day: Day) -> String { directory + "/" + day.iso }

    /// Writes the day's files from `view` (the live book's for the latest day, a replay's own for an earlier one);
    /// returns the folder.
    @discardableResult
    public func write(_ view: DayView) throws -> String {
        let digest = Digest(view, numbers: locale.numbers)
        let folder = folder(for: view.asOf)
        let managers = Self.managerFolders(view.alerts.compactMap(\.manager) + view.winback.compactMap(\.manager))
        // Made on two threads, then written one by one: the CSVs and each manager's rows of them here, the JSON
        // lines and the digests on the other (half a second of work each way at 100,000 clients otherwise).
        let locale = locale
        let (tables, texts) = Self.both {
            // Each CSV is encoded once; a manager's file takes their rows of it.
            let alerts = CSVRenderer.encode(Listings.alerts(view.alerts, format: .csv), locale: locale)
            let winback = CSVRenderer.encode(Listings.winback(view.winback, format: .csv), locale: locale)
            let alertManagers = view.alerts.map { $0.manager }
            let winbackManagers = view.winback.map { $0.manager }
            let theirs = managers.map { manager in
                func rows(_ names: [String?]) -> [Int] {
                    names.indices.filter { names[$0].map(manager.spellings.contains) ?? false }
                }
                return (
                    alerts: alerts.bytes(rows: rows(alertManagers)), winback: winback.bytes(rows: rows(winbackManagers))
                )
            }
            return (alerts: alerts.bytes, winback: winback.bytes, theirs: theirs)
        } and: {
            // Each manager's own digest: their clients' alerts and win-back entries.
            let own = managers.map { manager in
                let own = digest.forManager(manager.name, spellings: manager.spellings)
                return (markdown: Array(own.render().utf8), html: Array(own.renderHTML().utf8))
            }
            return (
                markdown: Array(digest.render().utf8), html: Array(digest.renderHTML().utf8),
                lines: AlertJSONLines.bytes(view.alerts, asOf: view.asOf), own: own
            )
        }
        try makeDirectory(directory)
        try makeDirectory(folder)
        try write(
            [
                ("alerts.csv", tables.alerts), ("winback.csv", tables.winback), ("digest.md", texts.markdown),
                ("digest.html", texts.html), ("alerts.jsonl", texts.lines),
            ], in: folder)
        let managersFolder = folder + "/managers"
        if !managers.isEmpty { try makeDirectory(managersFolder) }
        for (index, manager) in managers.enumerated() {
            let path = managersFolder + "/" + manager.slug
            try makeDirectory(path)
            try write(
                [
                    ("alerts.csv", tables.theirs[index].alerts), ("winback.csv", tables.theirs[index].winback),
                    ("digest.md", texts.own[index].markdown), ("digest.html", texts.own[index].html),
                ], in: path)
        }
        // Folders of managers who have nothing today any more, from an earlier run of the same day.
        let kept = Set(managers.map(\.slug))
        for name in (try? FileManager.default.contentsOfDirectory(atPath: managersFolder)) ?? []
        where !kept.contains(name) && !name.hasPrefix(".") {
            try? FileManager.default.removeItem(atPath: managersFolder + "/" + name)
        }
        return folder
    }

    /// `first()` on this thread while `second()` runs on another; both results once both are done.
    static func both<First, Second: Sendable>(
        _ first: () -> First, and second: @escaping @Sendable () -> Second
    ) -> (First, Second) {
        let slot = ResultSlot<Second>()
        let group = DispatchGroup()
        DispatchQueue.global().async(group: group) { slot.value = second() }
        let here = first()
        group.wait()
        return (here, slot.value!)
    }

    private func write(_ files: [(String, [UInt8])], in folder: String) throws {
        // Files a writer killed mid-way left aside; they were never visible under the real names.
        for name in (try? FileManager.default.contentsOfDirectory(atPath: folder)) ?? []
        where name.hasPrefix(".") && name.hasSuffix(".tmp") {
            unlink(folder + "/" + name)
        }
        for (name, bytes) in files {
            try AtomicFile.write(Data(bytes), to: folder + "/" + name)
        }
    }

    /// Each manager's folder: the name spelled in lower-case ASCII letters and digits joined by hyphens ("Eva Novák"
    /// → `eva-novak`, "Łukasz Groß" → `lukasz-gross`, "Иван" → `ivan`), so that scripts and mail programs can use
    /// it as it is. Spellings that `--manager` takes for one name (they differ only in case, accents or spaces) are
    /// one manager, shown by the spelling `mentions` holds most often. Different names are never one folder: where
    /// two would be spelled alike ("王伟" and "王薇", symbols only, or the same first 64 letters), each gets a
    /// suffix made from its own name, the same every day.
    public static func managerFolders(_ mentions: [String]) -> [(slug: String, name: String, spellings: Set<String>)] {
        var counts: [String: Int] = [:]
        for name in mentions { counts[name, default: 0] += 1 }
        var byKey: [String: [String]] = [:]
        for name in counts.keys { byKey[searchKey(name), default: []].append(name) }
        var bySlug: [String: [String]] = [:]
        for key in byKey.keys { bySlug[slug(key), default: []].append(key) }
        var out: [(slug: String, name: String, spellings: Set<String>)] = []
        for (base, keys) in bySlug {
            for key in keys {
                let names = byKey[key]!
                let shown = names.max { (counts[$0]!, $1) < (counts[$1]!, $0) }!
                let unique = keys.count == 1 && base != "manager" ? base : base + "-" + stableHash(key)
                out.append((unique, shown, Set(names)))
            }
        }
        return out.sorted { $0.slug < $1.slug }
    }

    /// Six hex digits of FNV-1a over the text's UTF-8: stable across runs and machines, unlike `hashValue`.
    static func stableHash(_ text: String) -> String {
        var hash: UInt32 = 2_166_136_261
        for byte in text.utf8 {
            hash = (hash ^ UInt32(byte)) &* 16_777_619
        }
        let hex = String(hash & 0xFF_FFFF, radix: 16)
        return String(repeating: "0", count: 6 - hex.count) + hex
    }

    /// A name in lower-case ASCII letters and digits joined by hyphens, at most 64 characters.
    static func slug(_ name: String) -> String {
        let folded =
            name.applyingTransform(StringTransform("Any-Latin; Latin-ASCII; Lower"), reverse: false)
            ?? name.folding(options: [.diacriticInsensitive, .caseInsensitive], locale: nil)
        var slug = ""
        var gap = false
        for scalar in folded.unicodeScalars {
            if scalar.isASCII, scalar.properties.isAlphabetic || ("0"..."9").contains(scalar) {
                if gap, !slug.isEmpty { slug += "-" }
                slug.unicodeScalars.append(scalar)
                gap = false
            } else {
                gap = true
            }
        }
        if slug.isEmpty { slug = "manager" }
        return String(slug.prefix(64)).trimmingCharacters(in: CharacterSet(charactersIn: "-"))
    }

    private func makeDirectory(_ path: String) throws {
        var info = stat()
        if stat(path, &info) == 0 {
            guard (info.st_mode & S_IFMT) == S_IFDIR else { throw Failure(path: path, reason: "is not a directory") }
            return
        }
        // The operators' group writes here too, whatever the umask (022 in an operator's shell).
        let error = StateDirectory.makeSharedFolder(path)
        guard error == 0 else { throw Failure(path: path, reason: String(cString: strerror(error))) }
        try AtomicFile.syncDirectory(containing: path)
    }
}

/// Writing a file so that readers never see it half-written.
public enum AtomicFile {
    /// Writes `data` to a hidden file beside `path`, flushes it, renames it over `path`, and flushes the folder.
    public static func write(_ data: Data, to path: String, mode: mode_t = 0o640) throws {
        let folder = (path as NSString).deletingLastPathComponent
        let name = (path as NSString).lastPathComponent
        let temporary = folder + "/." + name + ".\(getpid()).tmp"
        let descriptor = open(temporary, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC | O_NOFOLLOW, mode)
        guard descriptor >= 0 else { throw Outbox.Failure(path: temporary, reason: String(cString: strerror(errno))) }
        var failure: Outbox.Failure?
        data.withUnsafeBytes { bytes in
            var offset = 0
            while offset < bytes.count {
                let written = Glibc.write(descriptor, bytes.baseAddress! + offset, bytes.count - offset)
                if written < 0 {
                    if errno == EINTR { continue }
                    failure = Outbox.Failure(path: temporary, reason: String(cString: strerror(errno)))
                    return
                }
                offset += written
            }
        }
        if failure == nil, fsync(descriptor) != 0 {
            failure = Outbox.Failure(path: temporary, reason: "fsync: " + String(cString: strerror(errno)))
        }
        close(descriptor)
        if let failure {
            unlink(temporary)
            throw failure
        }
        guard rename(temporary, path) == 0 else {
            let reason = String(cString: strerror(errno))
            unlink(temporary)
            throw Outbox.Failure(path: path, reason: reason)
        }
        try syncDirectory(containing: path)
    }

    /// Flushes the folder holding `path`, so that a rename or a new entry in it survives a power cut.
    public static func syncDirectory(containing path: String) throws {
        let folder = (path as NSString).deletingLastPathComponent
        let descriptor = open(folder.isEmpty ? "." : folder, O_RDONLY | O_DIRECTORY | O_CLOEXEC)
        guard descriptor >= 0 else { throw Outbox.Failure(path: folder, reason: String(cString: strerror(errno))) }
        defer { close(descriptor) }
        guard fsync(descriptor) == 0 else {
            throw Outbox.Failure(path: folder, reason: "fsync: " + String(cString: strerror(errno)))
        }
    }
}

/// A value one thread leaves for another: written before the writer leaves its `DispatchGroup`, read only after
/// waiting for that group, which orders the two.
private final class ResultSlot<Value>: @unchecked Sendable {
    var value: Value?
}
