import WinbackCore
import WinbackStore

/// Runs a ``Backtest`` on the stored book: the aggregates brought up to date, as any scan would, and every
/// client's history fed to it. No scan result is stored.
public struct BacktestJob: Sendable {
    public let database: AppDatabase
    public let settings: ChurnSettings

    public init(database: AppDatabase, settings: ChurnSettings) {
        self.database = database
        self.settings = settings
    }

    /// Why a day cannot be replayed.
    public struct Failure: Error, CustomStringConvertible {
        public var description: String
    }

    /// Replays `asOf` against what happened in the `horizonDays` after it.
    public func run(asOf: Day, horizonDays: Int) throws -> Backtest.Replay {
        let end = asOf.adding(days: horizonDays)
        let lastSale = try database.lastSaleDay()
        guard let lastSale, lastSale >= end else {
            throw Failure(
                description: "the horizon ends \(end.iso), after the last sale stored"
                    + (lastSale.map { " (\($0.iso))" } ?? "") + ": what happened next is not known yet")
        }
        return try replay(asOf: asOf, horizonDays: horizonDays)
    }

    /// Every month end from `from` through `through` whose horizon has passed, and one rule tuned over all of them.
    public func run(monthEndsFrom from: Day, through: Day, horizonDays: Int) throws -> Backtest.Period {
        guard from <= through else {
            throw Failure(description: "the period starts \(from.iso), after it ends (\(through.iso))")
        }
        let lastSale = try database.lastSaleDay()
        let days = Backtest.monthEnds(from: from, through: through).filter { day in
            lastSale.map { day.adding(days: horizonDays) <= $0 } ?? false
        }
        guard !days.isEmpty else {
            throw Failure(
                description: "no month end from \(from.iso) to \(through.iso) has \(horizonDays) days of sales after it"
                    + (lastSale.map { " (the last sale stored is on \($0.iso))" } ?? " (no sales stored)"))
        }
        return Backtest.period(try days.map { try replay(asOf: $0, horizonDays: horizonDays) })
    }

    private func replay(asOf: Day, horizonDays: Int) throws -> Backtest.Replay {
        let calendar = try database.calendar(through: asOf, settings: settings.calendar)
        var replayer = Backtest.Replayer(asOf: asOf, horizonDays: horizonDays, settings: settings, calendar: calendar)
        try database.forEachHistory(asOf: replayer.horizonEnd) { _, history in replayer.add(history) }
        return replayer.finish()
    }
}
