import Foundation
import WinbackCSV
import WinbackCore

/// Everything the config file can say, with the documented default for each key.
///
/// `config/winback.toml` in the repository lists every key with its default; a file holding only
/// `state_dir = "..."` is complete.
public struct WinbackConfig: Sendable, Equatable {
    /// The folder holding the database, `inbox/`, `archive/`, `rejected/` and `outbox/`.
    public var stateDirectory: String
    /// The IANA time zone that decides what "today" is; `nil` means the system's.
    public var timeZone: String?
    public var importing: ImportSettings
    /// The churn criteria, statuses and classes.
    public var churn: ChurnSettings
    /// When the daemon scans and how often it looks into the inbox.
    public var daemon = DaemonSettings()
    /// `[notify]`: the command run after each scan's outbox is written.
    public var notify = NotifySettings()
    /// `[locale]`: how the digest, the tables and the outbox's CSVs write numbers, and the CSV dialect.
    /// (`churn.numbers` carries its number style into the explanations a scan writes.)
    public var locale = OutputLocale.plain
    /// How long the daemon keeps what it put in `archive/` and `outbox/`.
    public var retention = RetentionSettings()
    /// The file this config was read from, if any.
    public var sourcePath: String?

    public static let defaultStateDirectory = "/var/lib/winback"

    public init(
        stateDirectory: String = WinbackConfig.defaultStateDirectory, timeZone: String? = nil,
        importing: ImportSettings = ImportSettings(), churn: ChurnSettings = ChurnSettings(), sourcePath: String? = nil
    ) {
        self.stateDirectory = stateDirectory
        self.timeZone = timeZone
        self.importing = importing
        self.churn = churn
        self.sourcePath = sourcePath
    }

    /// The configured time zone, or the system's.
    public var resolvedTimeZone: TimeZone {
        timeZone.flatMap(TimeZone.init(identifier:)) ?? .current
    }

    /// Today in the configured time zone.
    public func today(now: Date = Date()) -> Day {
        Day.local(at: now, in: resolvedTimeZone).day
    }
}

/// How files are read: extra date forms, renamed columns, how many bad lines an error lists.
public struct ImportSettings: Sendable, Equatable {
    /// Date patterns tried after the built-in `YYYY-MM-DD`, `D.M.YYYY` and `YYYYMMDD`.
    public var dateFormats: [String]
    /// How many bad lines a refusal names before it only counts the rest.
    public var maxListedErrors: Int
    /// For each kind of file, canonical column name → the header the export uses.
    public var columns: [InputKind: [String: String]]
    /// What a sales line already stored becomes when a later export carries other values for it.
    public var changedLines: ChangedLines
    /// The encoding of files that are not UTF-8 (`[import] encoding`); nil reads UTF-8, with or without a BOM.
    public var encoding: SingleByteEncoding?

    /// `[import] changed_lines`.
    public enum ChangedLines: String, Sendable, Equatable, CaseIterable {
        /// The later export is the ERP's correction: it replaces the stored line (the default).
        case replace
        /// The first import of a line stands; later values are counted and dropped.
        case keep
    }

    public init(
        dateFormats: [String] = [], maxListedErrors: Int = 100, columns: [InputKind: [String: String]] = [:],
        changedLines: ChangedLines = .replace
    ) {
        self.dateFormats = dateFormats
        self.maxListedErrors = maxListedErrors
        self.columns = columns
        self.changedLines = changedLines
    }
}

/// `[daemon]`: the schedule of `winback daemon`.
public struct DaemonSettings: Sendable, Equatable {
    /// Local time of the daily scan, hours and minutes.
    public var scanAt = (hour: 6, minute: 0)
    /// How often the inbox is looked into.
    public var inboxPollSeconds = 60
    /// After files brought new sales, the rescan waits this long for more.
    public var rescanDelaySeconds = 30
    /// A file is taken once it has not changed for this long (or between two looks).
    public var settleSeconds = 2
    /// After a stop or a clock jump, how many missed daily scans are made up, oldest first.
    public var catchUpDays = 7
    /// A failed scheduled scan is tried again after this long, then twice as long each time, up to 30 minutes.
    public var retryAfterSeconds = 30

    public init() {}

    public static func == (lhs: DaemonSettings, rhs: DaemonSettings) -> Bool {
        lhs.scanAt == rhs.scanAt && lhs.inboxPollSeconds == rhs.inboxPollSeconds
            && lhs.rescanDelaySeconds == rhs.rescanDelaySeconds && lhs.settleSeconds == rhs.settleSeconds
            && lhs.catchUpDays == rhs.catchUpDays && lhs.retryAfterSeconds == rhs.retryAfterSeconds
    }
}

/// `[notify]`: a command run after each live scan's outbox is written, to mail or post the digest.
public struct NotifySettings: Sendable, Equatable {
    /// The program and its arguments, run without a shell; empty runs nothing. `{outbox}`, `{as_of}`,
    /// `{digest_md}` and `{digest_html}` in an argument become the day's folder, day and digests.
    public var command: [String] = []
    /// How long the command may run before it is stopped and counted as failed.
    public var timeoutSeconds = 120

    public init(command: [String] = [], timeoutSeconds: Int = 120) {
        self.command = command
        self.timeoutSeconds = timeoutSeconds
    }
}

/// `[retention]`: how many days the daemon keeps imported files in `archive/` and day folders in `outbox/`.
///
/// 0 keeps them forever, the default: nothing winback wrote is removed unless an admin asked for it.
public struct RetentionSettings: Sendable, Equatable {
    /// An imported file is removed once it was archived more than this many days ago; 0 keeps every one.
    public var archiveDays = 0
    /// An `outbox/YYYY-MM-DD/` folder is removed once its day is more than this many days ago; 0 keeps every one.
    public var outboxDays = 0

    public init(archiveDays: Int = 0, outboxDays: Int = 0) {
        self.archiveDays = archiveDays
        self.outboxDays = outboxDays
    }

    /// Whether any limit is set, that is whether pruning can remove anything at all.
    public var removesAnything: Bool { archiveDays > 0 || outboxDays > 0 }
}
