/// What `winback status` reports: the service at one moment, and what is wrong with it (a stopped feed, a scan
/// that is due and has not run), so that monitoring can call it and act on its exit status.
public struct ServiceHealth: Sendable, Equatable {
    /// The latest import that stored a file.
    public struct LastImport: Sendable, Equatable {
        public var fileName: String
        public var finishedAt: String
        public var rows: Int
        public var stored: Int
        public var corrected: Int

        public init(fileName: String, finishedAt: String, rows: Int, stored: Int, corrected: Int) {
            self.fileName = fileName
            self.finishedAt = finishedAt
            self.rows = rows
            self.stored = stored
            self.corrected = corrected
        }
    }

    /// The latest live scan.
    public struct LastScan: Sendable, Equatable {
        public var asOf: Day
        public var finishedAt: String
        /// Its wall time, when its timestamps read.
        public var seconds: Double?

        public init(asOf: Day, finishedAt: String, seconds: Double?) {
            self.asOf = asOf
            self.finishedAt = finishedAt
            self.seconds = seconds
        }
    }

    public var stateDirectory: String
    /// The daemon's process id while one holds the state directory's lock (0 when it has not written it yet); nil
    /// when none runs.
    public var daemonPID: Int?
    public var lastImport: LastImport?
    public var lastScan: LastScan?
    /// The latest day whose scheduled scan time has passed: a live scan of it, or later, should exist.
    public var scanDue: Day
    /// The sales data as of today: what it covers, and whether the feed has stopped.
    public var feed: FeedCheck
    /// Alerts not resolved, by severity.
    public var openAlerts: [Severity: Int]
    /// Files in `inbox/` not taken yet, and files claimed but not finished (`inbox/.processing/`).
    public var inboxWaiting: Int
    public var inboxClaimed: Int
    /// Files refused, kept in `rejected/`.
    public var rejected: Int

    public init(
        stateDirectory: String, daemonPID: Int?, lastImport: LastImport?, lastScan: LastScan?, scanDue: Day,
        feed: FeedCheck, openAlerts: [Severity: Int], inboxWaiting: Int, inboxClaimed: Int, rejected: Int
    ) {
        self.stateDirectory = stateDirectory
        self.daemonPID = daemonPID
        self.lastImport = lastImport
        self.lastScan = lastScan
        self.scanDue = scanDue
        self.feed = feed
        self.openAlerts = openAlerts
        self.inboxWaiting = inboxWaiting
        self.inboxClaimed = inboxClaimed
        self.rejected = rejected
    }

    /// What makes the service stale, one line each; empty when it is healthy.
    public var problems: [String] {
        var out: [String] = []
        if feed.lastSaleDay == nil {
            out.append("no sales stored yet: the feed has not started")
        } else if feed.isStale {
            out.append(feed.summary)
        }
        if let scan = lastScan {
            if scan.asOf < scanDue {
                out.append(
                    "the latest scan is as of \(scan.asOf.iso) (\(scan.asOf.days(to: scanDue)) days before "
                        + "\(scanDue.iso), whose scan is due)")
            }
        } else {
            out.append("no scan yet: the scan of \(scanDue.iso) is due")
        }
        return out
    }

    public var isHealthy: Bool { problems.isEmpty }
}
