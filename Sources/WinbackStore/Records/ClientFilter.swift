import Foundation
import GRDB
import WinbackCore

/// The form in which a text someone typed is compared with a stored one: case, accents and the spaces around and
/// between words do not count, so "eva  novak" finds "Eva Novák" and "Eva Nova\u{301}k".
///
/// Every filter of `alerts`, `list` and `clients` compares through this one function.
public func searchKey(_ text: String) -> String {
    let words = text.split(whereSeparator: \.isWhitespace).joined(separator: " ")
    // ASCII, the common case of a manager or a region, folds to its lower case; the rest goes through Foundation.
    if words.utf8.allSatisfy({ $0 < 0x80 }) { return words.lowercased() }
    return words.folding(options: [.caseInsensitive, .diacriticInsensitive], locale: nil)
}

/// Which clients a listing keeps: by manager, region, ABC class, status, and a category they bought. Nil keeps any;
/// every condition given must hold.
///
/// Text is compared by its ``searchKey(_:)``. The filter runs in SQL, where the rows are read: a text is first
/// resolved to the spellings stored for it (a few distinct values), which the rows are then matched against.
public struct ClientFilter: Sendable, Equatable {
    public var manager: String?
    public var region: String?
    /// The class the latest scan gave the client.
    public var abc: [ABCClass]?
    /// The status the latest scan gave the client.
    public var statuses: [ClientStatus]?
    /// Clients with a purchase in this category, on any day stored.
    public var category: String?

    public init(
        manager: String? = nil, region: String? = nil, abc: [ABCClass]? = nil, statuses: [ClientStatus]? = nil,
        category: String? = nil
    ) {
        self.manager = manager
        self.region = region
        self.abc = abc
        self.statuses = statuses
        self.category = category
    }

    /// Adds this filter's conditions on the client whose `clients.id` is the SQL expression `client`; `among`, when
    /// given, selects the ids of every client the listing can show (the spellings of a category are looked for
    /// among their purchases only: a fifth of the time on the win-back list).
    func apply(to query: inout FilterQuery, client: String, among: String? = nil, _ db: Database) throws {
        if let manager {
            try query.matches(
                "\(client) IN (SELECT id FROM clients WHERE manager IN (%@))", manager,
                spellings: "SELECT DISTINCT manager FROM clients WHERE manager IS NOT NULL", db)
        }
        if let region {
            try query.matches(
                "\(client) IN (SELECT id FROM clients WHERE region IN (%@))", region,
                spellings: "SELECT DISTINCT region FROM clients WHERE region IS NOT NULL", db)
        }
        if let abc {
            query.oneOf("\(client) IN (SELECT client FROM client_verdicts WHERE abc IN (%@))", abc.map(\.rawValue))
        }
        if let statuses {
            query.oneOf(
                "\(client) IN (SELECT client FROM client_verdicts WHERE status IN (%@))", statuses.map(\.rawValue))
        }
        if let category {
            // Per listed client, its own rows only (the key's prefix), up to the first match.
            try query.matches(
                "EXISTS (SELECT 1 FROM client_day_categories d WHERE d.client = \(client) AND d.category IN (%@))",
                category,
                spellings: "SELECT DISTINCT category FROM client_day_categories"
                    + (among.map { " WHERE client IN (\($0))" } ?? ""), db)
        }
    }
}

/// The conditions of a filtered listing's `WHERE`, with their arguments.
struct FilterQuery {
    var conditions: [String] = []
    var arguments: [any DatabaseValueConvertible] = []

    var whereClause: String { conditions.isEmpty ? "" : " WHERE " + conditions.joined(separator: " AND ") }

    /// `condition` with `%@` standing for the list of `values`.
    mutating func oneOf(_ condition: String, _ values: [String]) {
        let list = values.isEmpty ? "NULL" : values.map { _ in "?" }.joined(separator: ", ")
        conditions.append(condition.replacingOccurrences(of: "%@", with: list))
        arguments += values
    }

    /// `condition` with `%@` standing for the stored spellings (found by the query `spellings`) whose search key is
    /// `text`'s; none matches nothing.
    mutating func matches(_ condition: String, _ text: String, spellings: String, _ db: Database) throws {
        let key = searchKey(text)
        let stored = try String.fetchAll(db, sql: spellings).filter { searchKey($0) == key }
        oneOf(condition, stored)
    }
}
