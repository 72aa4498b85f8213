import WinbackCore

/// `winback status` for a person (one fact per line, within 80 columns but for file names and the feed's
/// summary) and for monitoring (one JSON object).
public enum StatusReport {
    public static func text(_ health: ServiceHealth) -> String {
        var lines: [(String, String)] = [("state directory", health.stateDirectory)]
        lines.append(("daemon", health.daemonPID.map { $0 > 0 ? "running (pid \($0))" : "running" } ?? "not running"))
        if let last = health.lastImport {
            lines.append(("last import", "\(last.fileName), finished \(last.finishedAt)"))
            lines.append(("", "\(last.rows) rows: \(last.stored) stored, \(last.corrected) corrected"))
        } else {
            lines.append(("last import", "none yet"))
        }
        if let scan = health.lastScan {
            // Its timestamps are to the second: a small book's scan shows as under a second, not as 0.0 s.
            let took = scan.seconds.map { $0 < 1 ? ", in under a second" : ", in \(fixed($0, 0)) s" } ?? ""
            lines.append(("last scan", "as of \(scan.asOf.iso), finished \(scan.finishedAt)\(took)"))
        } else {
            lines.append(("last scan", "none yet"))
        }
        lines.append(("scan due", "as of \(health.scanDue.iso) (the latest whose scheduled time has passed)"))
        lines.append(("data", dataSpan(health.feed)))
        lines.append(("open alerts", alertCounts(health.openAlerts)))
        lines.append(("inbox", "\(health.inboxWaiting) waiting, \(health.inboxClaimed) claimed and not finished"))
        lines.append(("rejected", "\(health.rejected) file\(health.rejected == 1 ? "" : "s") in rejected/"))
        let problems = health.problems
        lines.append(("health", problems.isEmpty ? "OK" : "STALE"))
        for problem in problems { lines.append(("", "- " + problem)) }
        let width = (lines.map(\.0.count).max() ?? 0) + 2
        var out = ""
        for (label, value) in lines {
            // Wrapped between words to 80 columns; a file name or path longer than that stays whole.
            var line = label + String(repeating: " ", count: width - label.count)
            var used = width
            for (index, word) in escapeControls(value).split(separator: " ").enumerated() {
                if index > 0, used + 1 + word.count > 80 {
                    out += line + "\n"
                    line = String(repeating: " ", count: width + (value.hasPrefix("- ") ? 2 : 0))
                    used = line.count
                } else if index > 0 {
                    line += " "
                    used += 1
                }
                line += word
                used += word.count
            }
            out += line + "\n"
        }
        return out
    }

    /// What the sales cover, and how far the last day with sales lies behind the feed's day.
    static func dataSpan(_ feed: FeedCheck) -> String {
        guard let last = feed.lastSaleDay else { return "no sales stored yet" }
        let span = feed.firstSaleDay.map { "sales from \($0.iso) to \(last.iso)" } ?? "sales up to \(last.iso)"
        let behind = last.days(to: feed.asOf)
        return behind <= 0 ? span : span + ", \(behind) day\(behind == 1 ? "" : "s") before \(feed.asOf.iso)"
    }

    public static func json(_ health: ServiceHealth) -> String {
        var fields: [(String, JSONObject.Value)] = [
            ("state_dir", .string(health.stateDirectory)),
            ("daemon_pid", JSONObject.integer(health.daemonPID)),
        ]
        fields.append(
            (
                "last_import",
                health.lastImport.map { last in
                    .object(
                        JSONObject([
                            ("file", .string(last.fileName)), ("finished_at", .string(last.finishedAt)),
                            ("rows", .integer(Int64(last.rows))), ("stored", .integer(Int64(last.stored))),
                            ("corrected", .integer(Int64(last.corrected))),
                        ]))
                } ?? .null
            ))
        fields.append(
            (
                "last_scan",
                health.lastScan.map { scan in
                    .object(
                        JSONObject([
                            ("as_of", .string(scan.asOf.iso)), ("finished_at", .string(scan.finishedAt)),
                            ("seconds", JSONObject.number(scan.seconds)),
                        ]))
                } ?? .null
            ))
        fields += [
            ("scan_due", .string(health.scanDue.iso)),
            ("data_from", JSONObject.day(health.feed.firstSaleDay)),
            ("data_to", JSONObject.day(health.feed.lastSaleDay)),
            ("feed_stale", .bool(health.feed.isStale)),
            (
                "open_alerts",
                .object(
                    JSONObject(
                        Severity.allCases.reversed().map { ($0.rawValue, .integer(Int64(health.openAlerts[$0] ?? 0))) }
                    ))
            ),
            ("inbox_waiting", .integer(Int64(health.inboxWaiting))),
            ("inbox_claimed", .integer(Int64(health.inboxClaimed))),
            ("rejected", .integer(Int64(health.rejected))),
            ("healthy", .bool(health.isHealthy)),
            ("problems", .array(health.problems.map { .string($0) })),
        ]
        return JSONObject(fields).text + "\n"
    }

    static func alertCounts(_ counts: [Severity: Int]) -> String {
        let parts = Severity.allCases.reversed().compactMap { severity in
            counts[severity].flatMap { $0 > 0 ? "\($0) \(severity.rawValue)" : nil }
        }
        return parts.isEmpty ? "none" : parts.joined(separator: ", ")
    }
}
