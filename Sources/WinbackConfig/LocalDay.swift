import Foundation
import WinbackCore

extension Day {
    /// The day, hour and minute a wall clock in `timeZone` shows at `now`: the one rule for "today", used by the
    /// commands (``WinbackConfig/today(now:)``) and by the daemon's schedule alike.
    public static func local(at now: Date, in timeZone: TimeZone) -> (day: Day, hour: Int, minute: Int) {
        var calendar = Calendar(identifier: .gregorian)
        calendar.timeZone = timeZone
        let parts = calendar.dateComponents([.year, .month, .day, .hour, .minute], from: now)
        return (Day(year: parts.year!, month: parts.month!, day: parts.day!)!, parts.hour!, parts.minute!)
    }
}
