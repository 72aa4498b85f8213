import WinbackCore

/// `digest.md`: what a head of sales reads in the morning.
///
/// Counts and their change since the previous scan day, failures by direction, what is new and critical,
/// and the top of the win-back list, in Markdown that reads well as plain text too.
public struct Digest: Sendable {
    public var asOf: Day
    /// Overall counts over time (the `all` series), oldest first.
    public var overall: [FailurePoint]
    /// The latest day's counts per direction, with the previous day's.
    public var byDirection: [FailureDimension: [Listings.Point]]
    public var openAlerts: [Alert]
    public var winback: [WinbackListEntry]
    /// What the data covers; the digest's first line.
    public var feed: FeedCheck?
    /// How counts and amounts are written: the config's `[locale]`.
    public var numbers: NumberStyle = .plain
    /// The manager a manager's own digest is for (`outbox/DAY/managers/NAME/`); nil for the whole book's.
    public var manager: String?

    public init(
        asOf: Day, overall: [FailurePoint], byDirection: [FailureDimension: [Listings.Point]], openAlerts: [Alert],
        winback: [WinbackListEntry], feed: FeedCheck? = nil
    ) {
        self.feed = feed
        self.asOf = asOf
        self.overall = overall
        self.byDirection = byDirection
        self.openAlerts = openAlerts
        self.winback = winback
    }

    /// The digest of one day's view: its overall counts, and each direction's counts on that day beside the day
    /// before.
    public init(_ view: DayView, numbers: NumberStyle = .plain) {
        var byDirection: [FailureDimension: [Listings.Point]] = [:]
        for dimension in [FailureDimension.category, .manager, .region, .class] {
            byDirection[dimension] = Listings.withChanges(view.trend[dimension] ?? []).filter {
                $0.point.asOf == view.asOf
            }
        }
        self.init(
            asOf: view.asOf, overall: view.trend[.all] ?? [], byDirection: byDirection, openAlerts: view.alerts,
            winback: view.winback, feed: view.feed)
        self.numbers = numbers
        for point in view.trend[.manager] ?? [] { byManagerSeries[point.direction, default: []].append(point) }
    }

    /// The digest of one manager: their clients' alerts and win-back entries, and their own counts (the manager's
    /// series of the failure statistics) as the headline. `spellings` are the ways the data writes the manager's
    /// name ("Eva Novák", "EVA NOVAK"); `name` is the one the digest shows.
    public func forManager(_ name: String, spellings: Set<String>? = nil) -> Digest {
        let spellings = spellings ?? [name]
        // The series of each spelling, summed day by day.
        var byDay: [Day: FailureCounts] = [:]
        for spelling in spellings {
            for point in byManagerSeries[spelling] ?? [] {
                byDay[point.asOf] = byDay[point.asOf].map { $0 + point.counts } ?? point.counts
            }
        }
        var digest = Digest(
            asOf: asOf,
            overall: byDay.keys.sorted().map { FailurePoint(asOf: $0, direction: name, counts: byDay[$0]!) },
            byDirection: [:], openAlerts: openAlerts.filter { $0.manager.map(spellings.contains) ?? false },
            winback: winback.filter { $0.manager.map(spellings.contains) ?? false }, feed: feed)
        digest.numbers = numbers
        digest.manager = name
        return digest
    }

    /// Each manager's failure series, oldest first: kept from the day's view for ``forManager(_:)``.
    var byManagerSeries: [String: [FailurePoint]] = [:]

    // MARK: - What the digest shows, in the order it shows it (both renderers use these)

    /// The day's new alerts a head of sales acts on: problems with the book's data first, then losses and
    /// returns by what is at stake, largest first. Key-account working rules (contact gaps, dossiers) are counted
    /// per manager instead (``workRuleCounts``).
    var freshAlerts: [Alert] {
        openAlerts.filter { $0.firstSeen == asOf && !Self.isWorkRule($0.kind) }.sorted { a, b in
            let bookA = a.clientID == nil
            let bookB = b.clientID == nil
            if bookA != bookB { return bookA }
            if (a.value ?? .zero) != (b.value ?? .zero) { return (a.value ?? .zero) > (b.value ?? .zero) }
            if a.severity != b.severity { return a.severity > b.severity }
            return a.id < b.id
        }
    }

    /// New contact gaps and dossiers to review today, per manager (nil: clients without one), by count.
    var workRuleCounts: [(manager: String?, contactGaps: Int, dossiers: Int)] {
        var counts: [String?: (Int, Int)] = [:]
        for alert in openAlerts where alert.firstSeen == asOf && Self.isWorkRule(alert.kind) {
            var entry = counts[alert.manager] ?? (0, 0)
            if alert.kind == .contactGap { entry.0 += 1 } else { entry.1 += 1 }
            counts[alert.manager] = entry
        }
        return counts.map { (manager: $0.key, contactGaps: $0.value.0, dossiers: $0.value.1) }.sorted {
            ($0.contactGaps + $0.dossiers, $1.manager ?? "") > ($1.contactGaps + $1.dossiers, $0.manager ?? "")
        }
    }

    /// One manager's line of ``workRuleCounts``: "Eva Novák: 4 contact gaps, 1 dossier to review".
    func workRuleLine(_ entry: (manager: String?, contactGaps: Int, dossiers: Int)) -> String {
        var parts: [String] = []
        if entry.contactGaps > 0 {
            parts.append(
                "\(count(entry.contactGaps)) key \(entry.contactGaps == 1 ? "client" : "clients") without a recent positive contact"
            )
        }
        if entry.dossiers > 0 {
            parts.append("\(count(entry.dossiers)) \(entry.dossiers == 1 ? "dossier" : "dossiers") to review")
        }
        return "\(entry.manager ?? "no manager"): " + parts.joined(separator: ", ")
    }

    static func isWorkRule(_ kind: AlertKind) -> Bool { kind == .contactGap || kind == .dossierStale }

    /// Critical alerts still open, oldest first as stored.
    var criticalAlerts: [Alert] { openAlerts.filter { $0.severity == .critical } }

    /// A dimension's directions on the day, most failures first.
    func ranked(_ dimension: FailureDimension) -> [Listings.Point] {
        (byDirection[dimension] ?? []).sorted {
            ($0.point.counts.atRisk + $0.point.counts.lost, $1.point.direction)
                > ($1.point.counts.atRisk + $1.point.counts.lost, $0.point.direction)
        }
    }

    /// The day's counts and the previous scan day's.
    var todayAndBefore: (now: FailurePoint?, before: FailurePoint?) {
        (overall.last { $0.asOf <= asOf }, overall.last { $0.asOf < asOf })
    }

    var title: String { "winback — " + (manager.map { $0 + " — " } ?? "") + asOf.iso }

    /// Where to look for the rest of a list cut at `top`.
    func moreCommand(_ command: String) -> String {
        command + (manager.map { " --manager \"\($0)\"" } ?? "")
    }

    public func render(top: Int = 10) -> String {
        var out = ["# \(md(title))", ""]
        if let feed {
            if feed.lastSaleDay == nil {
                out += [
                    "**No sales stored yet.** Import a sales export (`winback import FILE`, or drop it into the inbox);",
                    "until then nothing here says anything about clients.", "",
                ]
            } else if feed.isStale {
                out += ["**Warning: \(md(feed.summary)).**", ""]
            } else {
                out += ["Data: \(md(feed.summary)).", ""]
            }
        }
        let (now, before) = todayAndBefore
        if let now {
            let c = now.counts
            out.append(
                "\(count(c.clients)) clients scanned as of \(asOf.iso)"
                    + (before.map { ", compared with \($0.asOf.iso)" } ?? "") + ".")
            out.append("")
            out.append("| | now | change |")
            out.append("|---|---:|---:|")
            func row(_ label: String, _ value: Int, _ previous: Int?) {
                out.append("| \(label) | \(count(value)) | \(previous.map { signed(value - $0) } ?? "") |")
            }
            row("at risk", c.atRisk, before?.counts.atRisk)
            row("lost", c.lost, before?.counts.lost)
            row("won back", c.wonBack, before?.counts.wonBack)
            out.append("| became at risk today | \(count(c.becameAtRisk)) | |")
            out.append("| became lost today | \(count(c.becameLost)) | |")
            out.append("| came back today | \(count(c.cameBack)) | |")
            out.append("| clients that dropped a category | \(count(c.categoryDrops)) | |")
            let change = before.map { signedMoney(c.revenueAtRisk - $0.counts.revenueAtRisk) } ?? ""
            out.append("| revenue at risk (a year's worth) | \(numbers.amount(c.revenueAtRisk)) | \(change) |")
        } else {
            out.append("No scan results for this day.")
        }

        let fresh = freshAlerts
        let critical = criticalAlerts
        out += ["", "## New today: \(count(fresh.count)) \(fresh.count == 1 ? "alert" : "alerts")", ""]
        if fresh.isEmpty { out.append("Nothing new.") }
        for alert in fresh.prefix(top) {
            let stake = alert.value.map { " (\(numbers.amount($0)) a year)" } ?? ""
            out.append("- **\(alert.severity.rawValue)** \(md(alert.title))\(stake) — \(md(alert.explanation))")
        }
        if fresh.count > top {
            out.append(
                "- … and \(count(fresh.count - top)) more: `\(moreCommand("winback alerts --since \(asOf.iso)"))`")
        }
        let work = workRuleCounts
        if !work.isEmpty {
            out += ["", "Key-account work new today:", ""]
            for entry in work { out.append("- " + md(workRuleLine(entry))) }
        }
        if !critical.isEmpty {
            out += ["", "## Critical and still open: \(count(critical.count))", ""]
            for alert in critical.prefix(top) {
                out.append("- #\(alert.id) \(md(alert.title)) (\(alert.status.rawValue), since \(alert.firstSeen.iso))")
            }
            if critical.count > top {
                out.append(
                    "- … and \(count(critical.count - top)) more: `\(moreCommand("winback alerts --severity critical"))`"
                )
            }
        }

        if byDirection.values.contains(where: { !$0.isEmpty }) { out += ["", "## Failures by direction", ""] }
        for dimension in [FailureDimension.category, .manager, .region, .class] {
            let ranked = ranked(dimension)
            guard !ranked.isEmpty else { continue }
            out.append("**By \(dimension.rawValue)**")
            out.append("")
            out.append("| \(dimension.rawValue) | at risk | lost | change | revenue at risk |")
            out.append("|---|---:|---:|---:|---:|")
            for item in ranked.prefix(8) {
                let c = item.point.counts
                let change = item.before.map { signed(c.atRisk + c.lost - $0.atRisk - $0.lost) } ?? ""
                out.append(
                    "| \(md(item.point.direction)) | \(count(c.atRisk)) | \(count(c.lost)) | \(change) | \(numbers.amount(c.revenueAtRisk)) |"
                )
            }
            out.append("")
        }

        if out.last != "" { out.append("") }
        out += ["## Win back first", ""]
        if winback.isEmpty {
            out.append(
                feed?.lastSaleDay == nil && feed != nil ? "No sales, so no list yet." : "No client is at risk or lost.")
        } else {
            out.append("| # | client | manager | status | worth a year | why | offer |")
            out.append("|---:|---|---|---|---:|---|---|")
            for row in winback.prefix(top) {
                let who = row.clientName.map { "\($0) (\(row.clientID))" } ?? row.clientID
                out.append(
                    "| \(row.rank) | \(md(who)) | \(md(row.manager ?? "")) | \(row.status.rawValue.replacingAll("_", with: " ")) "
                        + "| \(numbers.amount(row.value)) | \(md(row.reason)) | \(md(row.offer.map(describe) ?? "")) |"
                )
            }
            if winback.count > top {
                out += ["", "… and \(count(winback.count - top)) more: `\(moreCommand("winback list"))`."]
            }
        }
        return out.joined(separator: "\n") + "\n"
    }

    /// A count as the locale groups it; the default output leaves counts ungrouped, as it always did.
    func count(_ value: Int) -> String { numbers.isPlain ? "\(value)" : numbers.count(value) }

    func signed(_ value: Int) -> String {
        value > 0 ? "+" + count(value) : value < 0 ? "−" + count(-value) : "±0"
    }

    func signedMoney(_ value: Money) -> String {
        value > .zero ? "+" + numbers.amount(value) : value < .zero ? "−" + numbers.amount(-value) : "±0"
    }

    /// Text from data made safe in Markdown: no table breaks, no markup, no control characters. By scalars: a `|`
    /// followed by a combining mark is one `Character` to Swift, and still a cell border to Markdown.
    private func md(_ text: String) -> String {
        var out = ""
        let scalars = Array(escapeControls(text).unicodeScalars)
        for (index, scalar) in scalars.enumerated() {
            switch scalar {
            case "|", "*", "_", "`", "[", "]", "<", ">", "#", "\\":
                out.unicodeScalars.append("\\")
                out.unicodeScalars.append(scalar)
            // `&amp;` or `&#38;` in a name would be read as a character reference; "Müller & Söhne" stays as it is.
            case "&"
            where index + 1 < scalars.count
                && (scalars[index + 1] == "#" || scalars[index + 1].properties.isAlphabetic):
                out.unicodeScalars.append("\\")
                out.unicodeScalars.append(scalar)
            case "\n", "\r": out.unicodeScalars.append(" ")
            default: out.unicodeScalars.append(scalar)
            }
        }
        return out
    }
}

extension String {
    func replacingAll(_ target: String, with replacement: String) -> String {
        split(separator: target, omittingEmptySubsequences: false).joined(separator: replacement)
    }
}
