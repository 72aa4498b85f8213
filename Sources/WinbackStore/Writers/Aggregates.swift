import GRDB
import GRDBSQLite
import WinbackCore

/// Sales lines folded per client and day in memory, until ``Aggregates/add(_:)`` writes them.
///
/// An export lists a document's lines together, so most lines add to the client-day the line before added to:
/// that one is reached by its dictionary index, without hashing, and a run of lines' categories is gathered in a
/// short list before it goes to the dictionary.
struct ClientDayFold {
    struct DayKey: Hashable {
        var client: Int64
        var day: Int64
    }

    /// A category by its number in ``names``: a book has a few dozen categories and millions of client-days.
    struct CategoryKey: Hashable {
        var client: Int64
        var day: Int64
        var category: Int32
    }

    private var storedDays: [DayKey: DayTotals] = [:]
    private var storedCategories: [CategoryKey: Int64] = [:]
    private(set) var names: [String] = []
    private var numbers: [String: Int32] = [:]
    /// Lines folded in.
    private(set) var lines = 0
    /// The client-day the last line went to, and its place in `storedDays` (valid until another key is inserted,
    /// which only a line of another client-day does).
    private var run: (key: DayKey, index: Dictionary<DayKey, DayTotals>.Index)?
    /// That client-day's category amounts not yet in `storedCategories`. Only purchases count toward a category, so
    /// these sums are of positive amounts, where saturating sums do not depend on the order.
    private var runCategories: [(category: Int32, amount: Int64)] = []
    private var lastCategory: (name: String, number: Int32)?

    /// Per client and day, the totals of the lines folded in.
    var days: [DayKey: DayTotals] { storedDays }

    /// Per client, day and category, what was bought; ``settle()`` first.
    var categories: [CategoryKey: Int64] {
        precondition(runCategories.isEmpty, "the fold's last run was not settled")
        return storedCategories
    }

    /// Adds one line with the one rule (``DayTotals``); what was bought counts toward its category.
    mutating func add(client: Int64, day: Int64, amount: Int64, margin: Int64?, category: String?) {
        let key = DayKey(client: client, day: day)
        if let run, run.key == key {
            storedDays.values[run.index].add(amount: amount, margin: margin)
        } else {
            settle()
            storedDays[key, default: DayTotals()].add(amount: amount, margin: margin)
            run = (key, storedDays.index(forKey: key)!)
        }
        if amount > 0, let category {
            let number = self.number(of: category)
            if let index = runCategories.firstIndex(where: { $0.category == number }) {
                runCategories[index].amount = Money.saturating(runCategories[index].amount, amount)
            } else {
                runCategories.append((number, amount))
            }
        }
        lines += 1
    }

    /// Moves the last run's category amounts into the dictionary.
    mutating func settle() {
        guard let key = run?.key, !runCategories.isEmpty else { return }
        // One look-up per category (the default subscript's modify), not a read and then a write.
        func accumulate(_ sum: inout Int64, _ amount: Int64) { sum = Money.saturating(sum, amount) }
        for (category, amount) in runCategories {
            let categoryKey = CategoryKey(client: key.client, day: key.day, category: category)
            accumulate(&storedCategories[categoryKey, default: 0], amount)
        }
        runCategories.removeAll(keepingCapacity: true)
    }

    private mutating func number(of category: String) -> Int32 {
        if let last = lastCategory, last.name == category { return last.number }
        let number =
            numbers[category]
            ?? {
                names.append(category)
                numbers[category] = Int32(names.count - 1)
                return Int32(names.count - 1)
            }()
        lastCategory = (category, number)
        return number
    }

    mutating func removeAll() {
        storedDays.removeAll(keepingCapacity: true)
        storedCategories.removeAll(keepingCapacity: true)
        runCategories.removeAll(keepingCapacity: true)
        run = nil
        lines = 0
    }
}

/// The aggregates that scans and commands read instead of the sales lines, kept in step with the lines by the
/// transaction that stores or corrects them:
/// - `client_days` and `client_day_categories`: per client and day, what its lines add up to;
/// - `book_days`: per day, how many clients bought and how many lines there were;
/// - `client_totals`: per client, its lines, documents, net revenue and purchase days, ever.
struct Aggregates {
    let db: Database
    /// Ticked every few thousand rows written; a stop asked there throws, and the caller's transaction rolls back.
    var control: WorkControl? = nil

    /// Adds folded new lines to the aggregates (not yet to `client_totals`: see ``updateTotals(clients:)``).
    ///
    /// Many rows to a statement, in key order, bound through the C API: a first import writes millions of these,
    /// and a statement per row cost SQLite a statement journal for each.
    func add(_ fold: inout ClientDayFold) throws {
        guard fold.lines > 0 else { return }
        fold.settle()
        let days = fold.days.sorted { ($0.key.client, $0.key.day) < ($1.key.client, $1.key.day) }
        // Per day of the book: client-days new in this fold, and lines.
        var book: [Int64: (clients: Int64, lines: Int64)] = [:]
        try db.batched(days.count, rows: 64, columns: 8, control: control) { count in
            // A row's lines after the upsert equal this fold's only when the row is new.
            """
            INSERT INTO client_days (client, day, net, gross, returns, margin, margin_lines, lines)
            VALUES \(placeholders(rows: count, columns: 8))
            ON CONFLICT (client, day) DO UPDATE SET
                net = \(clamped("net + excluded.net")), gross = \(clamped("gross + excluded.gross")),
                returns = \(clamped("returns + excluded.returns")), margin = \(clamped("margin + excluded.margin")),
                margin_lines = margin_lines + excluded.margin_lines, lines = lines + excluded.lines
            RETURNING client, day, lines
            """
        } bind: { handle, row, base in
            let (key, totals) = days[row]
            for (index, value) in [
                key.client, key.day, totals.net, totals.gross, totals.returns, totals.margin, totals.marginLines,
                totals.lines,
            ].enumerated() {
                sqlite3_bind_int64(handle, base + Int32(index + 1), value)
            }
        } returned: { handle in
            let key = ClientDayFold.DayKey(
                client: sqlite3_column_int64(handle, 0), day: sqlite3_column_int64(handle, 1))
            let lines = fold.days[key]?.lines ?? 0
            var entry = book[key.day, default: (0, 0)]
            entry.clients += sqlite3_column_int64(handle, 2) == lines ? 1 : 0
            entry.lines += lines
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
        // Categories in key order too: by the rank of their names, not by comparing names.
        let rank = fold.names.indices.sorted { fold.names[$0] < fold.names[$1] }
            .enumerated().reduce(into: [Int32](repeating: 0, count: fold.names.count)) {
                $0[$1.element] = Int32($1.offset)
            }
        let names = fold.names
        let categories = fold.categories.sorted {
            ($0.key.client, $0.key.day, rank[Int($0.key.category)]) < (
                $1.key.client, $1.key.day, rank[Int($1.key.category)]
            )
        }
        try db.batched(categories.count, rows: 128, columns: 4, control: control) { count in
            """
            INSERT INTO client_day_categories (client, day, category, amount)
            VALUES \(placeholders(rows: count, columns: 4))
            ON CONFLICT (client, day, category) DO UPDATE SET amount = \(clamped("amount + excluded.amount"))
            """
        } bind: { handle, row, base in
            let (key, amount) = categories[row]
            sqlite3_bind_int64(handle, base + 1, key.client)
            sqlite3_bind_int64(handle, base + 2, key.day)
            bind(handle, base + 3, names[Int(key.category)])
            sqlite3_bind_int64(handle, base + 4, amount)
        }
    }

    /// Takes one stored line out of its client-day (a correction replaced it), keeping `book_days` in step; false
    /// when a sum had saturated and the client-day must be folded again from its lines (``refold(client:day:)``).
    func remove(client: Int64, day: Int64, amount: Int64, margin: Int64?, category: String?) throws -> Bool {
        guard
            let row = try Row.fetchOne(
                db,
                sql:
                    "SELECT net, gross, returns, margin, margin_lines, lines FROM client_days WHERE client = ? AND day = ?",
                arguments: [client, day])
        else { return false }
        var totals = DayTotals(
            net: row[0], gross: row[1], returns: row[2], margin: row[3], marginLines: row[4], lines: row[5])
        guard totals.remove(amount: amount, margin: margin) else { return false }
        if amount > 0, let category {
            let spent = try Int64.fetchOne(
                db, sql: "SELECT amount FROM client_day_categories WHERE client = ? AND day = ? AND category = ?",
                arguments: [client, day, category])
            guard let spent, spent != Int64.max else { return false }
            if spent - amount > 0 {
                try db.execute(
                    sql: "UPDATE client_day_categories SET amount = ? WHERE client = ? AND day = ? AND category = ?",
                    arguments: [spent - amount, client, day, category])
            } else {
                try db.execute(
                    sql: "DELETE FROM client_day_categories WHERE client = ? AND day = ? AND category = ?",
                    arguments: [client, day, category])
            }
        }
        if totals.lines == 0 {
            try db.execute(
                sql: "DELETE FROM client_day_categories WHERE client = ? AND day = ?", arguments: [client, day])
            try db.execute(sql: "DELETE FROM client_days WHERE client = ? AND day = ?", arguments: [client, day])
        } else {
            try db.execute(
                sql: """
                    UPDATE client_days SET net = ?, gross = ?, returns = ?, margin = ?, margin_lines = ?, lines = ?
                    WHERE client = ? AND day = ?
                    """,
                arguments: [
                    totals.net, totals.gross, totals.returns, totals.margin, totals.marginLines, totals.lines, client,
                    day,
                ])
        }
        try db.execute(
            sql: "UPDATE book_days SET clients = clients - ?, lines = lines - 1 WHERE day = ?",
            arguments: [totals.lines == 0 ? 1 : 0, day])
        try db.execute(sql: "DELETE FROM book_days WHERE day = ? AND clients = 0", arguments: [day])
        return true
    }

    /// Folds one client-day again from all its lines, keeping `book_days` in step: after a correction, when taking
    /// the replaced line out was not exact. Reads the sales table whole (no index by client): for the rare
    /// saturated sums only.
    func refold(client: Int64, day: Int64) throws {
        if let old = try Int64.fetchOne(
            db, sql: "SELECT lines FROM client_days WHERE client = ? AND day = ?", arguments: [client, day])
        {
            try db.execute(
                sql: "UPDATE book_days SET clients = clients - 1, lines = lines - ? WHERE day = ?",
                arguments: [old, day])
        }
        try db.execute(sql: "DELETE FROM client_day_categories WHERE client = ? AND day = ?", arguments: [client, day])
        try db.execute(sql: "DELETE FROM client_days WHERE client = ? AND day = ?", arguments: [client, day])
        // Folded in Swift as new lines are: SQLite's total() is a float, which loses the ten-thousandths of sums
        // past 2^53 (nine lines at the line limit), and sum() fails on overflow.
        var fold = ClientDayFold()
        let lines = try Row.fetchCursor(
            db, sql: "SELECT amount, margin, category FROM sales WHERE client = ? AND day = ? ORDER BY id",
            arguments: [client, day])
        while let line = try lines.next() {
            fold.add(client: client, day: day, amount: line[0], margin: line[1], category: line[2])
        }
        try add(&fold)
        try db.execute(sql: "DELETE FROM book_days WHERE day = ? AND clients = 0", arguments: [day])
    }

    /// Sets each client's `client_totals` row from its client-days (its documents are kept: see
    /// ``addDocuments(_:client:)``).
    func updateTotals(clients: some Sequence<Int64>) throws {
        let update = try db.makeStatement(
            sql: """
                INSERT INTO client_totals (client, lines, revenue, first_purchase, last_purchase, purchase_days)
                SELECT ?1, coalesce(sum(lines), 0), \(clamped("total(net)")),
                       min(CASE WHEN \(Self.purchaseDay) THEN day END), max(CASE WHEN \(Self.purchaseDay) THEN day END),
                       count(CASE WHEN \(Self.purchaseDay) THEN 1 END)
                FROM client_days WHERE client = ?1
                ON CONFLICT (client) DO UPDATE SET
                    lines = excluded.lines, revenue = excluded.revenue, first_purchase = excluded.first_purchase,
                    last_purchase = excluded.last_purchase, purchase_days = excluded.purchase_days
                """)
        for (index, client) in clients.enumerated() {
            if index & 0x7FF == 0 { try control?.checkpoint() }
            try update.execute(arguments: [client])
        }
    }

    /// Gives each client a version newer than any before: their compact history records (made at an older version)
    /// are no longer read. Every change to a client's `client_days` must end here.
    func changed(clients: some Sequence<Int64>) throws {
        let version = try Int64.fetchOne(db, sql: "SELECT coalesce(max(version), 0) + 1 FROM client_versions") ?? 1
        let update = try db.makeStatement(
            sql: """
                INSERT INTO client_versions (client, version) VALUES (?, ?)
                ON CONFLICT (client) DO UPDATE SET version = excluded.version
                """)
        for client in clients {
            sqlite3_reset(update.sqliteStatement)
            sqlite3_bind_int64(update.sqliteStatement, 1, client)
            sqlite3_bind_int64(update.sqliteStatement, 2, version)
            try db.stepToCompletion(update)
        }
    }

    /// Core's `ActivityDay.isPurchase` over a `client_days` row: something bought, or only lines of zero.
    static let purchaseDay = "(gross > 0 OR returns = 0)"

    /// Counts documents new to a client (or, negative, documents it no longer has a line of).
    func addDocuments(_ count: Int, client: Int64) throws {
        // Cached: a first import calls this for every client, and compiling the statement each time cost a second.
        let update = try db.cachedStatement(sql: "UPDATE client_totals SET documents = documents + ? WHERE client = ?")
        sqlite3_reset(update.sqliteStatement)
        sqlite3_bind_int64(update.sqliteStatement, 1, Int64(count))
        sqlite3_bind_int64(update.sqliteStatement, 2, client)
        try db.stepToCompletion(update)
    }

    /// Builds every aggregate again from the stored lines: for a database whose lines were stored without them
    /// (by an older version, or by hand). Reads the lines in chunks, so memory stays bounded.
    func rebuild(chunk: Int = 500_000) throws {
        for table in ["client_day_categories", "client_days", "book_days", "client_totals"] {
            try db.execute(sql: "DELETE FROM \(table)")
        }
        try fold(salesAfter: 0, chunk: chunk)
        try totalsForAll()
        try changed(clients: try Int64.fetchAll(db, sql: "SELECT id FROM clients"))
    }

    /// Folds the lines stored after id `through`, chunk by chunk.
    func fold(salesAfter through: Int64, chunk: Int = 500_000) throws {
        var last = through
        var fold = ClientDayFold()
        while true {
            fold.removeAll()
            let rows = try Row.fetchCursor(
                db, sql: "SELECT id, client, day, amount, margin, category FROM sales WHERE id > ? ORDER BY id LIMIT ?",
                arguments: [last, chunk])
            while let row = try rows.next() {
                last = row[0]
                fold.add(client: row[1], day: row[2], amount: row[3], margin: row[4], category: row[5])
            }
            try add(&fold)
            if fold.lines < chunk { return }
        }
    }

    /// Every client's totals and documents from the aggregates and lines.
    func totalsForAll() throws {
        try db.execute(sql: "DELETE FROM client_totals")
        try updateTotals(clients: try Int64.fetchAll(db, sql: "SELECT DISTINCT client FROM client_days"))
        try db.execute(
            sql: """
                UPDATE client_totals SET documents = d.documents
                FROM (SELECT client, count(DISTINCT document) AS documents FROM sales GROUP BY client) d
                WHERE d.client = client_totals.client
                """)
    }
}

/// An SQL sum of two aggregates held within the integers a `Money` may be, as saturating Swift sums are: on overflow
/// SQLite's `+` turns into a float, which is clamped back here (exact below the limits, as lines are folded in Swift).
func clamped(_ expression: String) -> String {
    "CAST(max(min(\(expression), 9223372036854775807), -9223372036854775807) AS INTEGER)"
}
