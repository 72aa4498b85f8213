import GRDB
import WinbackCore

extension AppDatabase {
    /// What the sales data covers on `asOf` and whether the feed has stopped, from the book's days with sales
    /// (run ``aggregateNewSales(chunk:)`` first: `book_days` follows the aggregates).
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
                arguments: [last - 366, last])
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
}
