import GRDB
import WinbackCore

extension AppDatabase {
    /// What the sales data covers on `asOf` and whether the feed has stopped, from the book's days with sales.
    public func feedCheck(asOf: Day, staleAfterDays: Int?) throws -> FeedCheck {
        try writer.read { db in
            let first = try Int32.fetchOne(db, sql: "SELECT min(day) FROM book_days WHERE lines > 0")
            guard
                let last = try Int32.fetchOne(
                    db, sql: "SELECT max(day) FROM book_days WHERE day <= ? AND lines > 0", arguments: [asOf.number])
            else {
                return FeedCheck.judge(saleDays: [], firstSaleDay: nil, asOf: asOf, staleAfterDays: staleAfterDays)
            }
            let days = try Int32.fetchAll(
                db, sql: "SELECT day FROM book_days WHERE day BETWEEN ? AND ? AND lines > 0 ORDER BY day",
                arguments: [last - 400, last])
            return FeedCheck.judge(
                saleDays: days.map(Day.init(number:)), firstSaleDay: first.map(Day.init(number:)), asOf: asOf,
                staleAfterDays: staleAfterDays)
        }
    }

    /// The latest successful import of a kind of file, if any.
    public func lastImport(kind: InputKind? = nil) throws -> ImportRecord? {
        try writer.read { db in
            var request = ImportRecord.filter(Column("outcome") == "imported")
            if let kind { request = request.filter(Column("kind") == kind.rawValue) }
            return try request.order(Column("id").desc).fetchOne(db)
        }
    }

    /// Whether any sales line is stored.
    public func hasSales() throws -> Bool {
        try writer.read { db in try Bool.fetchOne(db, sql: "SELECT EXISTS (SELECT 1 FROM sales)") ?? false }
    }

    /// The company's working time up to `through`, learned from how many clients bought on each day (see
    /// ``BusinessCalendar``), with the config's closed days.
    public func calendar(through: Day, settings: ChurnSettings.Calendar) throws -> BusinessCalendar {
        try writer.read { db in
            var counts: [Day: Int] = [:]
            var first: Day?
            let rows = try Row.fetchCursor(
                db, sql: "SELECT day, clients FROM book_days WHERE day <= ? ORDER BY day", arguments: [through.number])
            while let row = try rows.next() {
                let day = Day(number: row["day"])
                if first == nil { first = day }
                counts[day] = row["clients"]
            }
            let start = first ?? through
            return settings.learn
                ? .learned(buyingClients: counts, from: start, through: through, closed: settings.closed)
                : .plain(from: start, through: through, closed: settings.closed)
        }
    }
}
