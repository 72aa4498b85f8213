import Foundation
import Testing
import WinbackCore
import WinbackRuntime

@Suite("Scan schedule")
struct ScanScheduleTests {
    let schedule = ScanSchedule(hour: 6, minute: 0, timeZone: TimeZone(identifier: "Europe/Berlin")!, catchUpDays: 7)

    /// A moment given in Berlin time.
    func at(_ text: String) -> Date {
        let formatter = DateFormatter()
        formatter.locale = Locale(identifier: "en_US_POSIX")
        formatter.timeZone = TimeZone(identifier: "Europe/Berlin")
        formatter.dateFormat = "yyyy-MM-dd HH:mm"
        return formatter.date(from: text)!
    }

    func days(_ values: String...) -> [Day] { values.map { Day(iso: $0)! } }

    @Test("today's scan is due once its local time has passed, and only once")
    func daily() {
        #expect(schedule.dueDays(at: at("2025-03-10 05:59"), lastScheduled: Day(iso: "2025-03-09")) == [])
        #expect(schedule.dueDays(at: at("2025-03-10 06:00"), lastScheduled: Day(iso: "2025-03-09")) == days("2025-03-10"))
        #expect(schedule.dueDays(at: at("2025-03-10 23:00"), lastScheduled: Day(iso: "2025-03-10")) == [])
    }

    @Test("the local time decides, not UTC: 06:00 in Berlin is 05:00 UTC in winter")
    func timeZone() {
        let utc = ScanSchedule(hour: 6, minute: 0, timeZone: TimeZone(identifier: "UTC")!, catchUpDays: 7)
        let moment = at("2025-01-15 06:30")  // 05:30 UTC
        #expect(schedule.dueDays(at: moment, lastScheduled: Day(iso: "2025-01-14")) == days("2025-01-15"))
        #expect(utc.dueDays(at: moment, lastScheduled: Day(iso: "2025-01-14")) == [])
    }

    @Test("after a stop over several days, the missed days are made up in order, at most catch_up_days")
    func missedRuns() {
        #expect(
            schedule.dueDays(at: at("2025-03-13 07:00"), lastScheduled: Day(iso: "2025-03-10"))
                == days("2025-03-11", "2025-03-12", "2025-03-13"))
        #expect(
            schedule.dueDays(at: at("2025-03-13 05:00"), lastScheduled: Day(iso: "2025-03-10"))
                == days("2025-03-11", "2025-03-12"), "today's time has not come yet")
        #expect(schedule.dueDays(at: at("2025-04-30 07:00"), lastScheduled: Day(iso: "2025-03-10")).count == 7)
        #expect(schedule.dueDays(at: at("2025-04-30 07:00"), lastScheduled: Day(iso: "2025-03-10")).last == Day(iso: "2025-04-30"))
    }

    @Test("a clock jump backwards finds nothing due: those days are done")
    func backwards() {
        #expect(schedule.dueDays(at: at("2025-03-09 07:00"), lastScheduled: Day(iso: "2025-03-10")) == [])
        #expect(schedule.dueDays(at: at("2025-03-10 07:00"), lastScheduled: Day(iso: "2025-03-10")) == [])
    }

    @Test("the first start scans today if its time has passed")
    func firstStart() {
        #expect(schedule.dueDays(at: at("2025-03-10 07:00"), lastScheduled: nil) == days("2025-03-10"))
        #expect(schedule.dueDays(at: at("2025-03-10 05:00"), lastScheduled: nil) == [])
    }
}

@Suite("Journal log lines")
struct JournalLogTests {
    @Test("control characters from data are escaped, so a name cannot forge a log line")
    func escaping() {
        #expect(JournalLogHandler.escape("evil\nfile.csv\u{1b}[2J") == "evil\\u{a}file.csv\\u{1b}[2J")
        #expect(JournalLogHandler.escape("Müller GmbH") == "Müller GmbH")
    }
}
