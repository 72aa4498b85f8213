import GRDB
import WinbackCore

extension SaleLine: FetchableRecord {
    /// Reads a row of the `sales` table.
    public init(row: Row) throws {
        self.init(
            day: Day(number: row["day"]), clientID: row["client_id"], document: row["document"], line: row["line"],
            sku: row["sku"], category: row["category"], quantity: row["quantity"],
            amount: Money(scaled: row["amount"]), margin: (row["margin"] as Int64?).map(Money.init(scaled:)),
            manager: row["manager"], region: row["region"])
    }
}

extension Contact: FetchableRecord {
    /// Reads a row of the `contacts` table.
    public init(row: Row) throws {
        let manager: String = row["manager"]
        let note: String = row["note"]
        guard let outcome = ContactOutcome(rawValue: row["outcome"]) else {
            throw DatabaseError(message: "contacts.outcome holds \(String(describing: row["outcome"]))")
        }
        self.init(
            day: Day(number: row["day"]), clientID: row["client_id"], manager: manager.isEmpty ? nil : manager,
            outcome: outcome, note: note.isEmpty ? nil : note)
    }
}

extension ClientProfile: FetchableRecord {
    /// Reads a row of the `clients` table.
    public init(row: Row) throws {
        self.init(
            clientID: row["client_id"], name: row["name"], manager: row["manager"], region: row["region"],
            segment: row["segment"], dossierReviewed: (row["dossier_reviewed"] as Int32?).map(Day.init(number:)))
    }
}

extension AppDatabase {
    /// Stored sales lines in the order they were stored; all of them, or one client's.
    public func saleLines(clientID: String? = nil) throws -> [SaleLine] {
        try writer.read { db in
            if let clientID {
                return try SaleLine.fetchAll(
                    db,
                    sql: """
                        SELECT s.*, c.client_id FROM sales s JOIN clients c ON c.id = s.client
                        WHERE c.client_id = ? ORDER BY s.id
                        """,
                    arguments: [clientID])
            }
            return try SaleLine.fetchAll(
                db, sql: "SELECT s.*, c.client_id FROM sales s JOIN clients c ON c.id = s.client ORDER BY s.id")
        }
    }

    /// Stored contacts, by day.
    public func contacts(clientID: String? = nil) throws -> [Contact] {
        try writer.read { db in
            try Contact.fetchAll(
                db,
                sql: """
                    SELECT k.*, c.client_id FROM contacts k JOIN clients c ON c.id = k.client
                    WHERE ?1 IS NULL OR c.client_id = ?1 ORDER BY k.day, k.id
                    """,
                arguments: [clientID])
        }
    }

    /// What is known about one client's master data.
    public func clientProfile(_ clientID: String) throws -> ClientProfile? {
        try writer.read { db in
            try ClientProfile.fetchOne(db, sql: "SELECT * FROM clients WHERE client_id = ?", arguments: [clientID])
        }
    }
}

extension AppDatabase {
    /// The latest day with a stored sale.
    public func lastSaleDay() throws -> Day? {
        try writer.read { db in try Int32.fetchOne(db, sql: "SELECT max(day) FROM sales").map(Day.init(number:)) }
    }

    /// Every client's purchase days up to `asOf`, as the purchase models see them (in days).
    public func repeatSummaries(asOf: Day) throws -> [RepeatSummary] {
        var out: [RepeatSummary] = []
        try forEachHistory(asOf: asOf) { _, history in
            if let summary = history.repeatSummary(asOf: asOf) {
                out.append(summary)
            }
        }
        return out
    }
}
