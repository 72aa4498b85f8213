import Foundation
import WinbackConfig
import WinbackCore

/// Which daily scans are due: pure arithmetic on the wall clock, so that it can be tested at any hour.
///
/// A day's scan is due once the local clock has passed its `scan_at` and no scheduled scan of that day
/// was made yet. After a stop or a forward clock jump the missed days are made up, oldest first, at most
/// `catchUpDays` of them; a backward jump finds nothing due, because those days are done.
public struct ScanSchedule: Sendable {
    public var hour: Int
    public var minute: Int
    public var timeZone: TimeZone
    public var catchUpDays: Int

    public init(hour: Int, minute: Int, timeZone: TimeZone, catchUpDays: Int) {
        self.hour = hour
        self.minute = minute
        self.timeZone = timeZone
        self.catchUpDays = catchUpDays
    }

    /// The local day and whether its scan time has come, at `now`.
    public func today(at now: Date) -> (day: Day, scanTimePassed: Bool) {
        let local = Day.local(at: now, in: timeZone)
        return (local.day, (local.hour, local.minute) >= (hour, minute))
    }

    /// The days whose scheduled scan is due at `now`, oldest first.
    public func dueDays(at now: Date, lastScheduled: Day?) -> [Day] {
        let (day, passed) = today(at: now)
        let latest = passed ? day : day.adding(days: -1)
        guard let lastScheduled else { return passed ? [day] : [] }
        guard latest > lastScheduled else { return [] }
        let first = max(lastScheduled.adding(days: 1), latest.adding(days: -max(catchUpDays, 1) + 1))
        return stride(from: 0, through: first.days(to: latest), by: 1).map { first.adding(days: $0) }
    }
}
