import WinbackCore

/// `digest.md`: what a head of sales reads in the morning.
///
/// Counts and their change since the previous scan day, failures by direction, what is new and critical,
/// and the top of the win-back list, in Markdown that reads well as plain text too.
public struct Digest {
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
    }

    public func render(top: Int = 10) -> String {
        var out = ["# winback — \(asOf.iso)", ""]
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
        let now = overall.last { $0.asOf <= asOf }
        let before = overall.last { $0.asOf < asOf }
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

        let fresh = openAlerts.filter { $0.firstSeen == asOf }
        let critical = openAlerts.filter { $0.severity == .critical }
        out += ["", "## New today: \(fresh.count) alerts", ""]
        if fresh.isEmpty { out.append("Nothing new.") }
        for alert in fresh.prefix(top) {
            out.append("- **\(alert.severity.rawValue)** \(md(alert.title)) — \(md(alert.explanation))")
        }
        if fresh.count > top { out.append("- … and \(fresh.count - top) more: `winback alerts --since \(asOf.iso)`") }
        if !critical.isEmpty {
            out += ["", "## Critical and still open: \(critical.count)", ""]
            for alert in critical.prefix(top) {
                out.append("- #\(alert.id) \(md(alert.title)) (\(alert.status.rawValue), since \(alert.firstSeen.iso))")
            }
            if critical.count > top {
                out.append("- … and \(critical.count - top) more: `winback alerts --severity critical`")
            }
        }

        out += ["", "## Failures by direction", ""]
        for dimension in [FailureDimension.category, .manager, .region, .class] {
            guard let points = byDirection[dimension], !points.isEmpty else { continue }
            let ranked = points.sorted {
                ($0.point.counts.atRisk + $0.point.counts.lost, $1.point.direction)
                    > ($1.point.counts.atRisk + $1.point.counts.lost, $0.point.direction)
            }
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
            if winback.count > top { out += ["", "… and \(winback.count - top) more: `winback list`."] }
        }
        return out.joined(separator: "\n") + "\n"
    }

    /// A count as the locale groups it; the default output leaves counts ungrouped, as it always did.
    private func count(_ value: Int) -> String { numbers.isPlain ? "\(value)" : numbers.count(value) }

    private func signed(_ value: Int) -> String {
        value > 0 ? "+" + count(value) : value < 0 ? "−" + count(-value) : "±0"
    }

    private func signedMoney(_ value: Money) -> String {
        value > .zero ? "+" + numbers.amount(value) : value < .zero ? "−" + numbers.amount(-value) : "±0"
    }

    /// Text from data made safe in Markdown: no table breaks, no markup, no control characters. By scalars: a `|`
    /// followed by a combining mark is one `Character` to Swift, and still a cell border to Markdown.
    private func md(_ text: String) -> String {
        var out = ""
        for scalar in escapeControls(text).unicodeScalars {
            switch scalar {
            case "|", "*", "_", "`", "[", "]", "<", ">", "#", "\\":
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
