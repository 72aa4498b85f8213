import Testing
import WinbackCore

@Suite("Day")
struct DayTests {
    @Test("the epoch is day 0 and ISO round-trips")
    func epoch() {
        #expect(Day(year: 1970, month: 1, day: 1)?.number == 0)
        #expect(Day(number: 0).iso == "1970-01-01")
        #expect(Day(iso: "2024-02-29")?.iso == "2024-02-29")
    }

    @Test("ISO text is the zero-padded components, from year 1 to 9999, and reads back as the same day")
    func isoText() {
        for (y, m, d) in [(1, 1, 1), (9, 9, 9), (99, 12, 31), (999, 10, 10), (2026, 11, 24), (9999, 12, 31)] {
            let day = Day(year: y, month: m, day: d)!
            let expected =
                String(y).leftPadded(to: 4) + "-" + String(m).leftPadded(to: 2) + "-" + String(d).leftPadded(to: 2)
            #expect(day.iso == expected)
            #expect(Day(iso: day.iso) == day)
        }
    }

    @Test("every day of four centuries converts to components and back")
    func roundTrip() {
        let first = Day(year: 1900, month: 1, day: 1)!
        let last = Day(year: 2300, month: 12, day: 31)!
        var day = first
        var previous = first.adding(days: -1).components
        while day <= last {
            let (y, m, d) = day.components
            #expect(Day(year: y, month: m, day: d) == day)
            // Consecutive: the next day of the previous date.
            if d == 1 {
                #expect(previous.day == Day.daysInMonth(year: previous.year, month: previous.month))
            } else {
                #expect(previous.day == d - 1)
            }
            previous = (y, m, d)
            day = day.adding(days: 1)
        }
    }

    @Test(
        "dates that do not exist are refused",
        arguments: ["2023-02-29", "2024-13-01", "2024-04-31", "2024-00-10", "24-01-01", "2024-1-01", "2024-01-01x"])
    func invalid(_ text: String) {
        #expect(Day(iso: text) == nil)
    }

    @Test("leap years follow the Gregorian rule")
    func leapYears() {
        #expect(Day.isLeapYear(2000))
        #expect(!Day.isLeapYear(1900))
        #expect(Day.isLeapYear(2024))
        #expect(!Day.isLeapYear(2023))
    }

    @Test("differences are whole days")
    func differences() {
        let a = Day(iso: "2024-01-01")!
        let b = Day(iso: "2025-01-01")!
        #expect(a.days(to: b) == 366)
        #expect(a.adding(days: 366) == b)
    }

    @Test("weekdays are ISO: Monday 1 to Sunday 7, before 1970 too")
    func weekdays() {
        #expect(Day(iso: "1970-01-01")!.weekday == 4)
        #expect(Day(iso: "2024-12-02")!.weekday == 1)
        #expect(Day(iso: "2026-11-22")!.weekday == 7)
        #expect(Day(iso: "1969-12-28")!.weekday == 7)
    }
}
