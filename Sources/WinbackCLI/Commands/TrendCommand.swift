import ArgumentParser
import WinbackCore
import WinbackStore

/// `winback trend`: failures over time and by direction, as numbers and a chart in the terminal.
struct TrendCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "trend",
        abstract: "Failures over time, overall or by direction (category, region, manager, class), with a chart.")

    @OptionGroup var global: GlobalOptions

    @Option(help: "category, region, manager or class; without it, everything together over time.")
    var by: String?

    @Option(help: "Output format: table, json or csv.")
    var format: OutputFormat = .table

    func run() throws {
        let (_, database) = try global.open()
        let dimension: FailureDimension
        if let by {
            guard let parsed = FailureDimension(rawValue: by), parsed != .all else {
                throw ValidationError("--by must be category, region, manager or class, not \(by)")
            }
            dimension = parsed
        } else {
            dimension = .all
        }
        let series = try database.failureSeries(dimension)
        guard !series.isEmpty else {
            if format == .table { print("No scans yet: run `winback scan`.") } else { print(Report(columns: []).render(format), terminator: "") }
            return
        }
        let points = Self.withChanges(series)
        if dimension == .all {
            print(Self.report(points, format: format).render(format), terminator: "")
            if format == .table {
                print("")
                print(Chart.bars(points.suffix(24).map { ($0.point.asOf.iso, $0.point.counts.atRisk, $0.point.counts.lost) }))
            }
        } else {
            // The latest day, each direction with its change against the scan day before.
            let latest = points.map(\.point.asOf).max()!
            let today = points.filter { $0.point.asOf == latest }.sorted {
                ($0.point.counts.atRisk + $0.point.counts.lost, $1.point.direction)
                    > ($1.point.counts.atRisk + $1.point.counts.lost, $0.point.direction)
            }
            let rows = format == .table ? today : points
            print(Self.report(rows, format: format).render(format), terminator: "")
            if format == .table {
                print("")
                print("At risk and lost by \(dimension.rawValue), as of \(latest.iso):")
                print(Chart.bars(today.prefix(20).map { ($0.point.direction, $0.point.counts.atRisk, $0.point.counts.lost) }))
            }
        }
    }

    struct Point {
        var point: FailurePoint
        /// The same direction on the previous scan day, if it was counted then.
        var before: FailureCounts?
    }

    static func withChanges(_ series: [FailurePoint]) -> [Point] {
        var last: [String: FailureCounts] = [:]
        return series.map { point in
            defer { last[point.direction] = point.counts }
            return Point(point: point, before: last[point.direction])
        }
    }

    static func report(_ points: [Point], format: OutputFormat) -> Report {
        var report = Report(columns: [
            .init(key: "as_of", header: "as of"),
            .init(key: "direction", header: "direction", maxWidth: 24),
            .init(key: "clients", header: "clients"),
            .init(key: "at_risk", header: "at risk"),
            .init(key: "at_risk_change", header: "±"),
            .init(key: "lost", header: "lost"),
            .init(key: "lost_change", header: "±"),
            .init(key: "became_at_risk", header: "new risk"),
            .init(key: "became_lost", header: "new lost"),
            .init(key: "came_back", header: "back"),
            .init(key: "won_back", header: "won back"),
            .init(key: "category_drops", header: "cat. drops"),
            .init(key: "revenue_at_risk", header: "revenue at risk"),
        ])
        for item in points {
            let c = item.point.counts
            func change(_ now: Int, _ before: Int?) -> Report.Cell {
                guard let before else { return .number(nil) }
                let delta = now - before
                return .number(format == .table ? (delta > 0 ? "+\(delta)" : "\(delta)") : String(delta))
            }
            report.append([
                .date(item.point.asOf), .text(item.point.direction), .integer(c.clients), .integer(c.atRisk),
                change(c.atRisk, item.before?.atRisk), .integer(c.lost), change(c.lost, item.before?.lost),
                .integer(c.becameAtRisk), .integer(c.becameLost), .integer(c.cameBack), .integer(c.wonBack),
                .integer(c.categoryDrops),
                format == .table ? .number(c.revenueAtRisk.formatted(decimals: 0)) : .money(c.revenueAtRisk),
            ])
        }
        return report
    }
}

/// Horizontal bars in the terminal: `▒` at risk, `█` lost.
enum Chart {
    static func bars(_ rows: [(label: String, atRisk: Int, lost: Int)], width: Int = 50) -> String {
        let largest = max(1, rows.map { $0.atRisk + $0.lost }.max() ?? 1)
        let labelWidth = min(24, rows.map { $0.label.count }.max() ?? 0)
        var out: [String] = []
        for row in rows {
            let lost = Int((Double(row.lost) / Double(largest) * Double(width)).rounded())
            let atRisk = Int((Double(row.atRisk) / Double(largest) * Double(width)).rounded())
            var label = escapeControls(String(row.label.prefix(labelWidth)))
            label += String(repeating: " ", count: max(0, labelWidth - label.count))
            out.append(
                "\(label) │\(String(repeating: "█", count: lost))\(String(repeating: "▒", count: atRisk)) \(row.lost) lost, \(row.atRisk) at risk")
        }
        out.append(String(repeating: " ", count: labelWidth) + " └ █ lost  ▒ at risk")
        return out.joined(separator: "\n")
    }
}
