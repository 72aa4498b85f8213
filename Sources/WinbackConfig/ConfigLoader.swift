import Foundation
import TOMLKit
import WinbackCSV
import WinbackCore

/// Finds and reads the config file: `--config`, then `$WINBACK_CONFIG`, then `/etc/winback/winback.toml`,
/// then `./config/winback.toml`.
public enum ConfigLoader {
    public static let systemPath = "/etc/winback/winback.toml"
    public static let localPath = "config/winback.toml"
    public static let environmentVariable = "WINBACK_CONFIG"

    /// The file to read: an explicit path or `$WINBACK_CONFIG` must exist; the two standard places are tried in turn.
    public static func locate(
        explicit: String?, environment: [String: String] = ProcessInfo.processInfo.environment,
        fileExists: (String) -> Bool = { FileManager.default.fileExists(atPath: $0) }
    ) throws -> String {
        if let explicit {
            guard fileExists(explicit) else { throw ConfigError(file: explicit, reason: "no such file") }
            return explicit
        }
        if let fromEnvironment = environment[environmentVariable], !fromEnvironment.isEmpty {
            guard fileExists(fromEnvironment) else {
                throw ConfigError(file: fromEnvironment, reason: "no such file (named by $\(environmentVariable))")
            }
            return fromEnvironment
        }
        for candidate in [systemPath, localPath] where fileExists(candidate) {
            return candidate
        }
        throw ConfigError(
            file: localPath,
            reason: "no config file: give --config FILE, set $\(environmentVariable), or create \(systemPath)")
    }

    /// Reads and checks the file at `path`: a regular file of at most 1 MiB of UTF-8 text without NUL bytes.
    public static func load(path: String) throws -> WinbackConfig {
        var config = try parse(contents: ConfigFileReader.contents(of: path), file: path)
        config.sourcePath = path
        return config
    }

    /// Parses a config file's bytes: refuses a NUL byte or invalid UTF-8 with its line, then reads the text.
    public static func parse(contents: [UInt8], file: String) throws -> WinbackConfig {
        try parse(ConfigFileReader.text(contents, file: file), file: file)
    }

    /// Parses config text; `file` names it in errors and anchors a relative `state_dir`.
    public static func parse(_ text: String, file: String) throws -> WinbackConfig {
        let table: TOMLTable
        do {
            // toml++ aborts the process on some malformed inputs: only well-formed TOML reaches it.
            try TOMLSyntaxGuard.check(text)
        } catch {
            throw ConfigError(file: file, line: error.line, reason: error.reason)
        }
        do {
            table = try TOMLTable(string: text)
        } catch let error as TOMLParseError {
            throw ConfigError(file: file, line: error.source.begin.line, reason: printable(error.description))
        }
        let reader = TOMLReader(table: table, path: [], locator: KeyLocator(text: text), file: file)
        var config = WinbackConfig()

        if let stateDir = try reader.string("state_dir") {
            guard !stateDir.isEmpty else { throw reader.error("state_dir", "must not be empty") }
            config.stateDirectory = absolute(stateDir, relativeTo: file)
        }
        if let zone = try reader.string("time_zone") {
            guard TimeZone(identifier: zone) != nil else {
                throw reader.error(
                    "time_zone", "unknown time zone \(quoted(zone)); use an IANA name such as \"Europe/Berlin\"")
            }
            config.timeZone = zone
        }
        if let importing = try reader.table("import") {
            if let formats = try importing.strings("date_formats") {
                for format in formats {
                    do {
                        _ = try DateParser(extraPatterns: [format])
                    } catch let error as DateParser.PatternError {
                        throw importing.error("date_formats", error.description)
                    }
                }
                config.importing.dateFormats = formats
            }
            if let limit = try importing.int("max_listed_errors", in: 1...100_000) {
                config.importing.maxListedErrors = limit
            }
            if let text = try importing.string("changed_lines") {
                guard let choice = ImportSettings.ChangedLines(rawValue: text) else {
                    throw importing.error("changed_lines", "expected \"replace\" or \"keep\", found \(quoted(text))")
                }
                config.importing.changedLines = choice
            }
            if let name = try importing.string("encoding") {
                let lower = name.lowercased()
                if lower == "utf-8" || lower == "utf8" {
                    config.importing.encoding = nil
                } else if let encoding = SingleByteEncoding(name: name) {
                    config.importing.encoding = encoding
                } else {
                    let names = ["utf-8"] + SingleByteEncoding.allCases.map(\.rawValue)
                    throw importing.error(
                        "encoding", "unknown encoding \(quoted(name)); expected one of \(names.joined(separator: ", "))"
                    )
                }
            }
            if let columns = try importing.table("columns") {
                for kind in InputKind.allCases {
                    guard let mapping = try columns.table(kind.rawValue) else { continue }
                    var renames: [String: String] = [:]
                    let known = Set(kind.columns.map(\.name))
                    for key in mapping.keys {
                        guard known.contains(key) else {
                            throw mapping.error(
                                key,
                                "not a column of \(kind.rawValue) files; they have \(kind.columns.map(\.name).joined(separator: ", "))"
                            )
                        }
                        guard let header = try mapping.string(key), !header.isEmpty else {
                            throw mapping.error(key, "must name the column's header in the file")
                        }
                        renames[key] = header
                    }
                    try mapping.finish()
                    config.importing.columns[kind] = renames
                }
                try columns.finish()
            }
            try importing.finish()
        }
        try readChurn(reader, into: &config.churn)
        if let t = try reader.table("calendar") {
            t.set(&config.churn.calendar.learn, try t.bool("learn"))
            if let ranges = try t.strings("closed") {
                config.churn.calendar.closed = try ranges.map { text in
                    let parts = text.components(separatedBy: "..")
                    guard (1...2).contains(parts.count), let from = Day(iso: parts[0]),
                        let through = Day(iso: parts.count == 2 ? parts[1] : parts[0]), from <= through
                    else {
                        throw t.error(
                            "closed",
                            "expected days as \"YYYY-MM-DD\" or \"YYYY-MM-DD..YYYY-MM-DD\", found \(quoted(text))")
                    }
                    return from...through
                }
            }
            try t.finish()
        }
        if let t = try reader.table("seasons") {
            t.set(&config.churn.seasons, try t.bool("enabled"))
            try t.finish()
        }
        if let t = try reader.table("feed") {
            config.churn.feed.staleAfterDays = try t.int("stale_after_days", in: 1...3650)
            try t.finish()
        }
        if let t = try reader.table("daemon") {
            if let text = try t.string("scan_at") {
                let parts = text.split(separator: ":")
                guard parts.count == 2, parts.allSatisfy({ $0.count == 2 }), let hour = Int(parts[0]),
                    let minute = Int(parts[1]), (0..<24).contains(hour), (0..<60).contains(minute)
                else { throw t.error("scan_at", "expected a local time as \"HH:MM\", found \(quoted(text))") }
                config.daemon.scanAt = (hour, minute)
            }
            t.set(&config.daemon.inboxPollSeconds, try t.int("inbox_poll_seconds", in: 1...86_400))
            t.set(&config.daemon.rescanDelaySeconds, try t.int("rescan_delay_seconds", in: 0...86_400))
            t.set(&config.daemon.settleSeconds, try t.int("settle_seconds", in: 0...3600))
            t.set(&config.daemon.catchUpDays, try t.int("catch_up_days", in: 0...366))
            t.set(&config.daemon.retryAfterSeconds, try t.int("retry_after_seconds", in: 1...1800))
            try t.finish()
        }
        if let t = try reader.table("retention") {
            t.set(&config.retention.archiveDays, try t.int("archive_days", in: 0...36_500))
            t.set(&config.retention.outboxDays, try t.int("outbox_days", in: 0...36_500))
            try t.finish()
        }
        if let t = try reader.table("notify") {
            if let command = try t.strings("command") {
                guard command.isEmpty || !command[0].isEmpty else {
                    throw t.error("command", "the first element names the program to run")
                }
                guard command.isEmpty || command[0].hasPrefix("/") else {
                    throw t.error(
                        "command", "the program must be an absolute path (the daemon runs with a minimal PATH), "
                            + "not \(quoted(command[0]))")
                }
                config.notify.command = command
            }
            t.set(&config.notify.timeoutSeconds, try t.int("timeout_seconds", in: 1...3600))
            try t.finish()
        }
        if let t = try reader.table("locale") {
            config.locale = try readLocale(t)
            try t.finish()
        }
        config.churn.numbers = config.locale.numbers
        try reader.finish()
        return config
    }

    /// One `[[offers]]` table.
    private static func readOffer(_ t: TOMLReader) throws -> OfferRule {
        func list<T>(_ key: String, _ make: (String) -> T?, _ choices: [String]) throws -> [T]? {
            guard let values = try t.strings(key) else { return nil }
            return try values.map { value in
                guard let parsed = make(value) else {
                    throw t.error(key, "\(quoted(value)) is not one of \(choices.joined(separator: ", "))")
                }
                return parsed
            }
        }
        guard let name = try t.string("name") else { throw t.error("name", "every offer rule needs a name") }
        guard let kindText = try t.string("kind"), let kind = OfferKind(rawValue: kindText) else {
            throw t.error("kind", "expected one of \(OfferKind.allCases.map(\.rawValue).joined(separator: ", "))")
        }
        guard let text = try t.string("text"), !text.isEmpty else { throw t.error("text", "every offer needs a text") }
        let rule = OfferRule(
            name: name,
            abc: try list("abc", ABCClass.init(rawValue:), ABCClass.allCases.map(\.rawValue)),
            status: try list("status", ClientStatus.init(rawValue:), ClientStatus.allCases.map(\.rawValue)),
            criteria: try list("criteria", Criterion.init(rawValue:), Criterion.allCases.map(\.rawValue)),
            categories: try t.strings("categories"),
            minShare: try t.double("min_share", in: 0...1),
            kind: kind, text: text,
            discount: try t.double("discount", in: 0...100),
            gift: try t.string("gift"))
        try t.finish()
        return rule
    }

    /// `[criteria.*]`, `[status]`, `[contacts]`, `[[offers]]` and `[classes]`.
    private static func readChurn(_ reader: TOMLReader, into churn: inout ChurnSettings) throws {
        if let criteria = try reader.table("criteria") {
            if let t = try criteria.table("overdue") {
                for old in ["at_risk_factor", "lost_factor", "spread_weight", "min_purchase_days"] where t.has(old) {
                    throw t.error(
                        old,
                        "no longer used: a silence is judged by how rarely a client with its gaps is that silent; "
                            + "set at_risk_probability and lost_probability instead")
                }
                t.set(&churn.overdue.enabled, try t.bool("enabled"))
                t.set(&churn.overdue.atRiskProbability, try t.double("at_risk_probability", in: 1e-12...0.5))
                t.set(&churn.overdue.lostProbability, try t.double("lost_probability", in: 1e-15...0.5))
                t.set(&churn.overdue.lostAfterGaps, try t.double("lost_after_gaps", in: 0...100))
                t.set(&churn.overdue.maxGaps, try t.int("max_gaps", in: 2...10000))
                if churn.overdue.lostProbability > churn.overdue.atRiskProbability {
                    throw t.error(
                        "lost_probability", "must not be above at_risk_probability (\(churn.overdue.atRiskProbability))"
                    )
                }
                try t.finish()
            }
            if let t = try criteria.table("silence") {
                for old in ["at_risk_days", "lost_days"] where t.has(old) {
                    throw t.error(
                        old,
                        "no longer used: a one-purchase client's silence is judged against the book's clients, "
                            + "with [criteria.overdue]'s probabilities")
                }
                t.set(&churn.silence.enabled, try t.bool("enabled"))
                try t.finish()
            }
            if let t = try criteria.table("decline") {
                t.set(&churn.decline.enabled, try t.bool("enabled"))
                t.set(&churn.decline.windowDays, try t.int("window_days", in: 7...3650))
                t.set(&churn.decline.minGapsPerWindow, try t.double("min_gaps_per_window", in: 0...100))
                t.set(&churn.decline.drop, try t.double("drop", in: 0.01...1))
                t.set(&churn.decline.z, try t.double("z", in: 0...100))
                t.set(
                    &churn.decline.minRevenue, try t.double("min_revenue", in: 0...1e12).map(Money.init(approximately:))
                )
                t.set(&churn.decline.maxRecentOrders, try t.int("recent_orders", in: 2...50))
                t.set(&churn.decline.minEarlierOrders, try t.int("earlier_orders", in: 3...24))
                try t.finish()
            }
            if let t = try criteria.table("category_drop") {
                t.set(&churn.categoryDrop.enabled, try t.bool("enabled"))
                t.set(&churn.categoryDrop.minShare, try t.double("min_share", in: 0.01...1))
                t.set(&churn.categoryDrop.minPurchases, try t.int("min_purchases", in: 1...10000))
                t.set(&churn.categoryDrop.alpha, try t.double("alpha", in: 1e-12...0.5))
                t.set(&churn.categoryDrop.lookbackDays, try t.int("lookback_days", in: 7...3650))
                try t.finish()
            }
            if let t = try criteria.table("returns") {
                t.set(&churn.returns.enabled, try t.bool("enabled"))
                t.set(&churn.returns.windowDays, try t.int("window_days", in: 7...3650))
                t.set(&churn.returns.share, try t.double("share", in: 0.001...1))
                t.set(&churn.returns.minGross, try t.double("min_gross", in: 0...1e12).map(Money.init(approximately:)))
                try t.finish()
            }
            if let t = try criteria.table("p_alive") {
                t.set(&churn.pAlive.enabled, try t.bool("enabled"))
                t.set(&churn.pAlive.atRiskBelow, try t.double("at_risk_below", in: 0...1))
                t.set(&churn.pAlive.horizonDays, try t.int("horizon_days", in: 1...3650))
                try t.finish()
            }
            try criteria.finish()
        }
        if let t = try reader.table("status") {
            t.set(&churn.status.newClientDays, try t.int("new_client_days", in: 1...3650))
            t.set(&churn.status.wonBackDays, try t.int("won_back_days", in: 1...3650))
            try t.finish()
        }
        if let t = try reader.table("contacts") {
            t.set(&churn.contacts.positiveContactDays, try t.int("positive_contact_days", in: 1...365))
            t.set(&churn.contacts.negativePauseDays, try t.int("negative_pause_days", in: 0...365))
            t.set(&churn.contacts.dossierReviewDays, try t.int("dossier_review_days", in: 1...3650))
            try t.finish()
        }
        if let offers = try reader.tables("offers") {
            churn.offers = try offers.map(readOffer)
        }
        if let t = try reader.table("classes") {
            t.set(&churn.classes.windowDays, try t.int("window_days", in: 28...3650))
            if let measure = try t.string("abc_by") {
                guard let parsed = ChurnSettings.ABCMeasure(rawValue: measure) else {
                    throw t.error("abc_by", "expected \"revenue\", \"margin\" or \"auto\", found \(quoted(measure))")
                }
                churn.classes.abcBy = parsed
            }
            if let limits = try t.pair("abc_limits", in: 0.01...1) { churn.classes.abcLimits = (limits.0, limits.1) }
            if let limits = try t.pair("xyz_limits", in: 0.001...100) { churn.classes.xyzLimits = (limits.0, limits.1) }
            t.set(&churn.classes.xyzMonths, try t.int("xyz_months", in: 3...120))
            t.set(&churn.classes.keyShare, try t.double("key_share", in: 0.001...1))
            t.set(&churn.classes.criticalShare, try t.double("critical_share", in: 0.001...1))
            t.set(&churn.classes.monoShare, try t.double("mono_share", in: 0.001...1))
            let c = churn.classes
            guard c.keyShare <= c.criticalShare, c.criticalShare <= c.monoShare else {
                throw t.error("key_share", "key_share ≤ critical_share ≤ mono_share must hold")
            }
            try t.finish()
        }
    }

    private static func absolute(_ path: String, relativeTo file: String) -> String {
        if path.hasPrefix("/") { return path }
        let base = URL(fileURLWithPath: file).deletingLastPathComponent()
        return base.appendingPathComponent(path).standardizedFileURL.path
    }
}

/// Walks one TOML table, reading typed keys and remembering which were read so that typos are refused.
final class TOMLReader {
    let table: TOMLTable
    let path: [String]
    let locator: KeyLocator
    let file: String
    private var read: Set<String> = []

    /// For a table of an array (`[[offers]]`): the line of its header, which errors point to.
    let line: Int?

    init(table: TOMLTable, path: [String], locator: KeyLocator, file: String, line: Int? = nil) {
        self.table = table
        self.path = path
        self.locator = locator
        self.file = file
        self.line = line
    }

    var keys: [String] { table.keys }

    func error(_ key: String, _ reason: String) -> ConfigError {
        let full = path + [key]
        let at = line.flatMap { locator.line(of: full, after: $0) } ?? locator.line(of: full)
        return ConfigError(file: file, line: at, key: full.joined(separator: "."), reason: reason)
    }

    private func value(_ key: String) -> TOMLValueConvertible? {
        read.insert(key)
        return table[key]
    }

    /// Whether the table holds `key` (without reading it).
    func has(_ key: String) -> Bool { table[key] != nil }

    private func typeName(_ value: TOMLValueConvertible) -> String {
        switch value.type {
        case .table: return "a table"
        case .array: return "an array"
        case .string: return "a string"
        case .int: return "an integer"
        case .double: return "a number"
        case .bool: return "true or false"
        default: return "a date or time"
        }
    }

    func string(_ key: String) throws -> String? {
        guard let value = value(key) else { return nil }
        guard let string = value.string else { throw error(key, "expected a string, found \(typeName(value))") }
        return string
    }

    func int(_ key: String, in range: ClosedRange<Int>) throws -> Int? {
        guard let value = value(key) else { return nil }
        guard value.type == .int, let number = value.int else {
            throw error(key, "expected an integer, found \(typeName(value))")
        }
        guard range.contains(number) else {
            throw error(key, "\(number) is out of range \(range.lowerBound)…\(range.upperBound)")
        }
        return number
    }

    /// A number: a TOML float or integer, within `range`.
    func double(_ key: String, in range: ClosedRange<Double>) throws -> Double? {
        guard let value = value(key) else { return nil }
        let number: Double
        if value.type == .double, let double = value.double {
            number = double
        } else if value.type == .int, let int = value.int {
            number = Double(int)
        } else {
            throw error(key, "expected a number, found \(typeName(value))")
        }
        guard range.contains(number) else {
            throw error(key, "\(number) is out of range \(range.lowerBound)…\(range.upperBound)")
        }
        return number
    }

    func bool(_ key: String) throws -> Bool? {
        guard let value = value(key) else { return nil }
        guard value.type == .bool, let bool = value.bool else {
            throw error(key, "expected true or false, found \(typeName(value))")
        }
        return bool
    }

    /// Two increasing numbers within `range`, such as `[0.80, 0.95]`.
    func pair(_ key: String, in range: ClosedRange<Double>) throws -> (Double, Double)? {
        guard let value = value(key) else { return nil }
        guard let array = value.array, array.count == 2,
            let first = array[0].double ?? array[0].int.map(Double.init),
            let second = array[1].double ?? array[1].int.map(Double.init)
        else { throw error(key, "expected two numbers, such as [0.80, 0.95]") }
        guard range.contains(first), range.contains(second), first < second else {
            throw error(key, "expected two increasing numbers within \(range.lowerBound)…\(range.upperBound)")
        }
        return (first, second)
    }

    /// Reads `key` into `target` when present.
    func set<T>(_ target: inout T, _ read: T?) {
        if let read { target = read }
    }

    func strings(_ key: String) throws -> [String]? {
        guard let value = value(key) else { return nil }
        guard let array = value.array else {
            throw error(key, "expected an array of strings, found \(typeName(value))")
        }
        return try array.map { element in
            guard let string = element.string else { throw error(key, "expected an array of strings") }
            return string
        }
    }

    /// An array of tables (`[[key]]`), each with the line of its header for errors.
    func tables(_ key: String) throws -> [TOMLReader]? {
        guard let value = value(key) else { return nil }
        guard let array = value.array else { throw error(key, "expected [[\(key)]] tables, found \(typeName(value))") }
        let headers = locator.headerLines(of: path + [key])
        return try array.enumerated().map { index, element in
            guard let table = element.table else { throw error(key, "expected [[\(key)]] tables") }
            let line = index < headers.count ? headers[index] : nil
            return TOMLReader(table: table, path: path + [key], locator: locator, file: file, line: line)
        }
    }

    func table(_ key: String) throws -> TOMLReader? {
        guard let value = value(key) else { return nil }
        guard let table = value.table else { throw error(key, "expected a table, found \(typeName(value))") }
        return TOMLReader(table: table, path: path + [key], locator: locator, file: file)
    }

    /// Refuses keys that were never read: they are typos or belong to another version.
    func finish() throws {
        for key in table.keys.sorted() where !read.contains(key) {
            throw error(key, "unknown key")
        }
    }
}

/// Finds the line on which a dotted key is set, by reading table headers and `key =` lines.
///
/// TOMLKit reports positions for syntax errors only; this light scan gives the other errors a line too.
struct KeyLocator {
    private var lines: [(path: [String], line: Int)] = []
    private var headers: [(path: [String], line: Int)] = []

    init(text: String) {
        var current: [String] = []
        for (index, rawLine) in text.split(separator: "\n", omittingEmptySubsequences: false).enumerated() {
            let line = rawLine.trimmingCharacters(in: .whitespaces)
            if line.hasPrefix("#") || line.isEmpty { continue }
            if line.hasPrefix("[") {
                let inner = line.drop(while: { $0 == "[" }).prefix(while: { $0 != "]" })
                current = KeyLocator.split(String(inner))
                lines.append((current, index + 1))
                headers.append((current, index + 1))
            } else if let equals = line.firstIndex(of: "=") {
                lines.append((current + KeyLocator.split(String(line[..<equals])), index + 1))
            }
        }
    }

    private static func split(_ dotted: String) -> [String] {
        dotted.split(separator: ".").map {
            $0.trimmingCharacters(in: .whitespaces).trimmingCharacters(in: CharacterSet(charactersIn: "\"'"))
        }
    }

    /// The first line that sets `path` or opens it as a table.
    func line(of path: [String]) -> Int? {
        lines.first { $0.path == path }?.line ?? lines.first { $0.path.starts(with: path) }?.line
    }

    /// The first line at or after `start` that sets `path` (a key of an array's table), or `start` itself.
    func line(of path: [String], after start: Int) -> Int? {
        lines.first { $0.line > start && $0.path == path }?.line ?? start
    }

    /// The lines of the `[[path]]` headers, in order.
    func headerLines(of path: [String]) -> [Int] {
        headers.filter { $0.path == path }.map(\.line)
    }
}
