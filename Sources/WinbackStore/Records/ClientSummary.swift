import GRDB
import WinbackCore

/// A client as `winback clients` lists it: who, whose, where, and what it has bought.
public struct ClientSummary: Sendable, Equatable, FetchableRecord {
    public var clientID: String
    public var name: String?
    public var manager: String?
    public var region: String?
    /// The first and last day with a sale (not a return); nil for a client known only from master data.
    public var firstPurchase: Day?
    public var lastPurchase: Day?
    /// Distinct documents, credit notes included.
    public var documents: Int
    /// Sum of all line amounts, returns included.
    public var revenue: Money

    public init(row: Row) throws {
        clientID = row["client_id"]
        name = row["name"]
        manager = row["manager"]
        region = row["region"]
        firstPurchase = (row["first_purchase"] as Int32?).map(Day.init(number:))
        lastPurchase = (row["last_purchase"] as Int32?).map(Day.init(number:))
        documents = row["documents"]
        revenue = Money(scaled: row["revenue"])
    }
}

extension AppDatabase {
    /// Every client with its purchase span, document count and revenue, by revenue, highest first.
    public func clientSummaries() throws -> [ClientSummary] {
        try writer.read { db in
            try ClientSummary.fetchAll(
                db,
                sql: """
                    SELECT c.client_id, c.name, c.manager, c.region,
                           s.first_purchase, s.last_purchase,
                           coalesce(s.documents, 0) AS documents, coalesce(s.revenue, 0) AS revenue
                    FROM clients c
                    LEFT JOIN (
                        SELECT client,
                               min(CASE WHEN amount > 0 THEN day END) AS first_purchase,
                               max(CASE WHEN amount > 0 THEN day END) AS last_purchase,
                               count(DISTINCT document) AS documents,
                               sum(amount) AS revenue
                        FROM sales GROUP BY client
                    ) s ON s.client = c.id
                    ORDER BY revenue DESC, c.client_id
                    """)
        }
    }

    /// How many sales lines are stored (for reports and tests).
    public func salesLineCount() throws -> Int {
        try writer.read { db in try Int.fetchOne(db, sql: "SELECT count(*) FROM sales") ?? 0 }
    }
}
