import GRDB
import WinbackCore

extension AppDatabase {
    /// The last day whose scheduled daily scan the daemon made.
    public func lastScheduledDay() throws -> Day? {
        try writer.read { db in
            try Int32.fetchOne(db, sql: "SELECT last_scheduled_day FROM schedule WHERE id = 1").map(Day.init(number:))
        }
    }

    /// Records that the scheduled scan of `day` was made (never moves backwards).
    public func recordScheduledScan(_ day: Day) throws {
        try write { db in
            try db.execute(
                sql: """
                    UPDATE schedule SET last_scheduled_day = max(coalesce(last_scheduled_day, ?1), ?1) WHERE id = 1
                    """, arguments: [day.number])
        }
    }
}
