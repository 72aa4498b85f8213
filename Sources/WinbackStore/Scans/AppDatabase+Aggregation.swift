import GRDB
import GRDBSQLite
import WinbackCore

extension AppDatabase {
    /// Adds the sales stored since the last call to the per-client, per-day aggregates that scans read.
    ///
    /// New lines are found by a watermark (the highest `sales.id` aggregated). A line an import corrected keeps
    /// its id, so the import marks the client-days it left and entered; those are folded again from their lines
    /// first. The new lines go in chunks of `chunk`, each in its own transaction with the watermark, so memory
    /// stays bounded, an interrupted catch-up resumes where it stopped, and other writers get turns.
    /// Returns how many sales lines were added.
    @discardableResult
    /// `control` is ticked as lines are read; a stop asked there rolls back the chunk under way.
    public func aggregateNewSales(chunk: Int = 500_000, control: WorkControl? = nil) throws -> Int {
        try write { db in try ClientDayAggregator(db: db, control: control).refoldCorrected() }
        var total = 0
        while true {
            let added = try write { db in
                try ClientDayAggregator(db: db, control: control).addChunk(limit: chunk)
            }
            total += added
            if added < chunk { return total }
        }
    }
}

/// Folds sales lines into `client_days` and `client_day_categories` inside one transaction.
struct ClientDayAggregator {
    let db: Database
    var control: WorkControl?

    private struct DayKey: Hashable {
        var client: Int64
        var day: Int64
    }

    private struct CategoryKey: Hashable {
        var client: Int64
        var day: Int64
        var category: String
    }

    /// Folds the client-days marked by corrections again from their lines (those up to the watermark; later ones
    /// are added by the next chunks as usual), and keeps `book_days` in step.
    func refoldCorrected() throws {
        let dirty = try Row.fetchAll(db, sql: "SELECT client, day FROM dirty_client_days ORDER BY client, day")
        guard !dirty.isEmpty else { return }
        let through = try Int64.fetchOne(db, sql: "SELECT sales_through FROM aggregation WHERE id = 1") ?? 0
        for row in dirty {
            let client: Int64 = row["client"]
            let day: Int64 = row["day"]
            if let old = try Int64.fetchOne(
                db, sql: "SELECT lines FROM client_days WHERE client = ? AND day = ?", arguments: [client, day])
            {
                try db.execute(
                    sql: "UPDATE book_days SET clients = clients - 1, lines = lines - ? WHERE day = ?",
                    arguments: [old, day])
            }
            try db.execute(
                sql: "DELETE FROM client_day_categories WHERE client = ? AND day = ?", arguments: [client, day])
            try db.execute(sql: "DELETE FROM client_days WHERE client = ? AND day = ?", arguments: [client, day])
            // Folded exactly as the chunks are: SQLite's total() is a float, which loses the ten-thousandths of sums
            // past 2^53 (nine lines at the line limit), and sum() fails on overflow.
            var totals = DayTotals()
            var categories: [String: Int64] = [:]
            let lines = try Row.fetchCursor(
                db,
                sql: "SELECT amount, margin, category FROM sales WHERE client = ? AND day = ? AND id <= ? ORDER BY id",
                arguments: [client, day, through])
            while let line = try lines.next() {
                let amount: Int64 = line[0]
                totals.add(amount: amount, margin: line[1])
                if amount > 0, let category: String = line[2] {
                    categories[category] = Money.saturating(categories[category, default: 0], amount)
                }
            }
            if totals.lines > 0 {
                try db.execute(
                    sql: """
                        INSERT INTO client_days (client, day, net, gross, returns, margin, margin_lines, lines)
                        VALUES (?, ?, ?, ?, ?, ?, ?, ?)
                        """,
                    arguments: [
                        client, day, totals.net, totals.gross, totals.returns, totals.margin, totals.marginLines,
                        totals.lines,
                    ])
                for (category, amount) in categories.sorted(by: { $0.key < $1.key }) {
                    try db.execute(
                        sql: "INSERT INTO client_day_categories (client, day, category, amount) VALUES (?, ?, ?, ?)",
                        arguments: [client, day, category, amount])
                }
            }
            if let new = try Int64.fetchOne(
                db, sql: "SELECT lines FROM client_days WHERE client = ? AND day = ?", arguments: [client, day])
            {
                try db.execute(
                    sql: """
                        INSERT INTO book_days (day, clients, lines) VALUES (?, 1, ?)
                        ON CONFLICT (day) DO UPDATE SET clients = clients + 1, lines = lines + excluded.lines
                        """, arguments: [day, new])
            }
        }
        try db.execute(sql: "DELETE FROM book_days WHERE clients = 0")
        try db.execute(sql: "DELETE FROM dirty_client_days")
    }

    /// Aggregates up to `limit` lines past the watermark and moves it; returns how many lines were read.
    func addChunk(limit: Int) throws -> Int {
        let through = try Int64.fetchOne(db, sql: "SELECT sales_through FROM aggregation WHERE id = 1") ?? 0
        let read = try db.makeStatement(
            sql: "SELECT id, client, day, amount, margin, category FROM sales WHERE id > ? ORDER BY id LIMIT ?")
        let handle = read.sqliteStatement
        sqlite3_bind_int64(handle, 1, through)
        sqlite3_bind_int64(handle, 2, Int64(limit))
        var days: [DayKey: DayTotals] = [:]
        var categories: [CategoryKey: Int64] = [:]
        var count = 0
        var lastID = through
        while true {
            let code = sqlite3_step(handle)
            if code == SQLITE_DONE { break }
            guard code == SQLITE_ROW else {
                throw DatabaseError(resultCode: ResultCode(rawValue: code), message: db.lastErrorMessage, sql: read.sql)
            }
            count += 1
            if count & 0x3FFF == 0 {
                do { try control?.checkpoint() } catch {
                    sqlite3_reset(handle)
                    throw error
                }
            }
            lastID = sqlite3_column_int64(handle, 0)
            let key = DayKey(client: sqlite3_column_int64(handle, 1), day: sqlite3_column_int64(handle, 2))
            let amount = sqlite3_column_int64(handle, 3)
            days[key, default: DayTotals()].add(
                amount: amount,
                margin: sqlite3_column_type(handle, 4) == SQLITE_NULL ? nil : sqlite3_column_int64(handle, 4))
            if amount > 0, sqlite3_column_type(handle, 5) != SQLITE_NULL, let text = sqlite3_column_text(handle, 5) {
                let category = String(cString: text)
                let categoryKey = CategoryKey(client: key.client, day: key.day, category: category)
                categories[categoryKey] = Money.saturating(categories[categoryKey, default: 0], amount)
            }
        }
        sqlite3_reset(handle)
        guard count > 0 else { return 0 }

        let upsertDay = try db.makeStatement(
            sql: """
                INSERT INTO client_days (client, day, net, gross, returns, margin, margin_lines, lines)
                VALUES (?, ?, ?, ?, ?, ?, ?, ?)
                ON CONFLICT (client, day) DO UPDATE SET
                    net = \(clamped("net + excluded.net")), gross = \(clamped("gross + excluded.gross")),
                    returns = \(clamped("returns + excluded.returns")), margin = \(clamped("margin + excluded.margin")),
                    margin_lines = margin_lines + excluded.margin_lines, lines = lines + excluded.lines
                RETURNING lines
                """)
        // In key order, so that the b-tree is written from one end to the other; bound through the C API,
        // as there are millions of these on a first scan.
        let dayHandle = upsertDay.sqliteStatement
        // Per day of the book: client-days new in this chunk, and lines.
        var book: [Int64: (clients: Int64, lines: Int64)] = [:]
        for (key, totals) in days.sorted(by: { ($0.key.client, $0.key.day) < ($1.key.client, $1.key.day) }) {
            sqlite3_reset(dayHandle)
            for (index, value) in [
                key.client, key.day, totals.net, totals.gross, totals.returns, totals.margin, totals.marginLines,
                totals.lines,
            ].enumerated() {
                sqlite3_bind_int64(dayHandle, Int32(index + 1), value)
            }
            guard sqlite3_step(dayHandle) == SQLITE_ROW else {
                let message = db.lastErrorMessage
                sqlite3_reset(dayHandle)
                throw DatabaseError(message: message, sql: upsertDay.sql)
            }
            // The row's lines after the upsert equal this chunk's only when the row is new.
            let isNew = sqlite3_column_int64(dayHandle, 0) == totals.lines
            try db.stepToCompletion(upsertDay)
            var entry = book[key.day, default: (0, 0)]
            entry.clients += isNew ? 1 : 0
            entry.lines += totals.lines
            book[key.day] = entry
        }
        let upsertBook = try db.makeStatement(
            sql: """
                INSERT INTO book_days (day, clients, lines) VALUES (?, ?, ?)
                ON CONFLICT (day) DO UPDATE SET clients = clients + excluded.clients, lines = lines + excluded.lines
                """)
        for (day, entry) in book.sorted(by: { $0.key < $1.key }) {
            try upsertBook.execute(arguments: [day, entry.clients, entry.lines])
        }
        let upsertCategory = try db.makeStatement(
            sql: """
                INSERT INTO client_day_categories (client, day, category, amount) VALUES (?, ?, ?, ?)
                ON CONFLICT (client, day, category) DO UPDATE SET amount = \(clamped("amount + excluded.amount"))
                """)
        let categoryHandle = upsertCategory.sqliteStatement
        for (key, amount) in categories.sorted(by: {
            ($0.key.client, $0.key.day, $0.key.category) < ($1.key.client, $1.key.day, $1.key.category)
        }) {
            sqlite3_reset(categoryHandle)
            sqlite3_bind_int64(categoryHandle, 1, key.client)
            sqlite3_bind_int64(categoryHandle, 2, key.day)
            bind(categoryHandle, 3, key.category)
            sqlite3_bind_int64(categoryHandle, 4, amount)
            try db.stepToCompletion(upsertCategory)
        }
        try db.execute(sql: "UPDATE aggregation SET sales_through = ? WHERE id = 1", arguments: [lastID])
        return count
    }
}

/// An SQL sum of two aggregates held within the integers a `Money` may be, as saturating Swift sums are: on overflow
/// SQLite's `+` turns into a float, which is clamped back here (exact below the limits, as lines are folded in Swift).
func clamped(_ expression: String) -> String {
    "CAST(max(min(\(expression), 9223372036854775807), -9223372036854775807) AS INTEGER)"
}
