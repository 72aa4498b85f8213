import ArgumentParser
import WinbackCore
import WinbackReports
import WinbackStore

/// `winback trend`: failures over time and by direction, as numbers and a chart in the terminal.
struct TrendCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "trend",
        abstract: "Failures over time, overall or by direction (category, region, manager, class), with a chart.")

    @OptionGroup var global: GlobalOptions

    @Option(
        help: ArgumentHelp(
            "The direction to count failures by; without it, everything together.", valueName: "direction"))
    var by: FailureDimension?

    @Option(help: "Output format: table, json or csv.")
    var format: OutputFormat = .table

    @OptionGroup var table: TableOptions

    func run() throws {
        let (config, database) = try global.open()
        let dimension = by ?? .all
        let series = try database.failureSeries(dimension)
        guard !series.isEmpty else {
            if format == .table {
                print("No scans yet: run `winback scan`.")
            } else {
                print(Listing(columns: []).render(format), terminator: "")
            }
            return
        }
        let points = Listings.withChanges(series)
        let fit = table.fit
        if dimension == .all {
            print(
                Listings.trend(points, format: format).render(format, locale: config.locale, fit: fit), terminator: "")
            if format == .table {
                print("")
                print(
                    Chart.bars(
                        points.suffix(24).map { ($0.point.asOf.iso, $0.point.counts.atRisk, $0.point.counts.lost) },
                        lineWidth: fit.width))
            }
        } else {
            // The latest day, each direction with its change against the scan day before.
            let latest = points.map(\.point.asOf).max()!
            let today = points.filter { $0.point.asOf == latest }.sorted {
                ($0.point.counts.atRisk + $0.point.counts.lost, $1.point.direction)
                    > ($1.point.counts.atRisk + $1.point.counts.lost, $0.point.direction)
            }
            let rows = format == .table ? today : points
            print(Listings.trend(rows, format: format).render(format, locale: config.locale, fit: fit), terminator: "")
            if format == .table {
                print("")
                print("At risk and lost by \(dimension.rawValue), as of \(latest.iso):")
                print(
                    Chart.bars(
                        today.prefix(20).map { ($0.point.direction, $0.point.counts.atRisk, $0.point.counts.lost) },
                        lineWidth: fit.width))
            }
        }
    }
}
