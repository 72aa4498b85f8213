import Foundation
import GRDB
import WinbackCore

/// Read from the store's rows; the value itself is Core's.
extension Alert {
    /// The columns ``init(_:)`` reads, in its order: an `alerts a` row joined with its client `c`.
    static let columns = """
        a.id, a.kind, a.severity, a.status, a.category, a.snoozed_until, a.resolution, a.title, a.explanation,
        a.offer, a.value, a.first_seen, a.last_seen, a.resolved_on, c.client_id, c.name, c.manager
        """

    /// From a row of ``columns``, read by position: the alert list and the day's view read tens of thousands.
    init(_ row: RawCursor, offers: inout StoredOfferReader) throws {
        guard let kind = AlertKind(rawValue: row.text(1)), let severity = Severity(rawValue: row.text(2)),
            let status = AlertStatus(rawValue: row.text(3))
        else { throw DatabaseError(message: "alerts holds an unknown kind, severity or status") }
        let category = row.text(4)
        self.init(
            id: row.int64(0), clientID: row.optionalText(14), clientName: row.optionalText(15),
            manager: row.optionalText(16), kind: kind, category: category.isEmpty ? nil : category,
            severity: severity, status: status, snoozedUntil: row.day(5), resolution: row.optionalText(6),
            title: row.text(7), explanation: row.text(8), offer: try offers.offer(row.optionalText(9)),
            value: row.isNull(10) ? nil : Money(scaled: row.int64(10)), firstSeen: row.requiredDay(11),
            lastSeen: row.requiredDay(12), resolvedOn: row.day(13))
    }

    /// The alert list's order: most severe first, then the highest value (none counts as 0), the newest, the
    /// lowest id.
    static func listOrder(_ alerts: [Alert]) -> [Alert] {
        // Sorted by keys taken out once: comparing the alerts themselves copied them, strings and all.
        let keys = alerts.indices.map { index in
            let alert = alerts[index]
            return (severity: alert.severity, value: alert.value ?? .zero, firstSeen: alert.firstSeen, id: alert.id)
        }
        return alerts.indices.sorted { a, b in
            let left = keys[a]
            let right = keys[b]
            if left.severity != right.severity { return left.severity > right.severity }
            if left.value != right.value { return left.value > right.value }
            if left.firstSeen != right.firstSeen { return left.firstSeen > right.firstSeen }
            return left.id < right.id
        }.map { alerts[$0] }
    }
}

/// Which alerts `winback alerts` lists.
public struct AlertFilter: Sendable {
    /// Nil: every alert not resolved.
    public var statuses: [AlertStatus]?
    public var severities: [Severity]?
    public var kinds: [AlertKind]?
    /// The alerts of these clients (by manager, region, class, status, a category they bought).
    public var clients: ClientFilter
    public var clientID: String?
    /// Alerts about this category (`category_drop`), compared by ``searchKey(_:)``.
    public var category: String?
    /// Raised on or after this day.
    public var since: Day?

    public init(
        statuses: [AlertStatus]? = nil, severities: [Severity]? = nil, kinds: [AlertKind]? = nil,
        clients: ClientFilter = ClientFilter(), clientID: String? = nil, category: String? = nil, since: Day? = nil
    ) {
        self.statuses = statuses
        self.severities = severities
        self.kinds = kinds
        self.clients = clients
        self.clientID = clientID
        self.category = category
        self.since = since
    }
}

/// Why an alert could not be worked as asked.
public struct AlertActionError: Error, Equatable, Sendable, CustomStringConvertible {
    public var description: String
}

extension AppDatabase {
    static let alertSelect = """
        SELECT \(Alert.columns)
        FROM alerts a LEFT JOIN clients c ON c.id = a.client
        """

    /// Alerts matching `filter`, most severe first, then newest.
    public func alerts(_ filter: AlertFilter = AlertFilter()) throws -> [Alert] {
        try writer.read { db in
            var query = FilterQuery()
            if let statuses = filter.statuses {
                query.oneOf("a.status IN (%@)", statuses.map(\.rawValue))
            } else {
                query.conditions.append("a.status != 'resolved'")
            }
            if let severities = filter.severities { query.oneOf("a.severity IN (%@)", severities.map(\.rawValue)) }
            if let kinds = filter.kinds { query.oneOf("a.kind IN (%@)", kinds.map(\.rawValue)) }
            try filter.clients.apply(to: &query, client: "a.client", db)
            if let client = filter.clientID {
                query.conditions.append("c.client_id = ?")
                query.arguments.append(client)
            }
            if let category = filter.category {
                // Only a category drop's category is a product category (a concentration's is its level).
                try query.matches(
                    "a.kind = 'category_drop' AND a.category IN (%@)", category,
                    spellings: "SELECT DISTINCT category FROM alerts WHERE kind = 'category_drop'", db)
            }
            if let since = filter.since {
                query.conditions.append("a.first_seen >= ?")
                query.arguments.append(since.number)
            }
            // Sorted here, not by SQLite, whose sorter would copy every title, explanation and offer.
            let statement = try db.makeStatement(sql: Self.alertSelect + query.whereClause)
            try statement.setArguments(StatementArguments(query.arguments))
            let rows = RawCursor(statement, db: db)
            var found: [Alert] = []
            var offers = StoredOfferReader()
            while try rows.step() { found.append(try Alert(rows, offers: &offers)) }
            return Alert.listOrder(found)
        }
    }

    /// Marks alerts acknowledged (a snoozed one wakes). Unknown or resolved ids are refused, and then nothing changes.
    public func acknowledge(_ ids: [Int64]) throws {
        try change(ids, allowResolved: false) { db, id in
            try db.execute(
                sql: "UPDATE alerts SET status = 'acknowledged', snoozed_until = NULL WHERE id = ?", arguments: [id])
        }
    }

    /// Snoozes an alert until a day; the first scan on or after it wakes it as new.
    public func snooze(_ id: Int64, until: Day) throws {
        try change([id], allowResolved: false) { db, id in
            try db.execute(
                sql: "UPDATE alerts SET status = 'snoozed', snoozed_until = ? WHERE id = ?",
                arguments: [until.number, id])
        }
    }

    /// Resolves alerts by hand. A condition that still holds does not reopen them within the same episode.
    public func resolve(_ ids: [Int64], on day: Day) throws {
        try change(ids, allowResolved: true) { db, id in
            try db.execute(
                sql: """
                    UPDATE alerts SET status = 'resolved', snoozed_until = NULL,
                        resolution = coalesce(resolution, 'manual'), resolved_on = coalesce(resolved_on, ?)
                    WHERE id = ?
                    """, arguments: [day.number, id])
        }
    }

    private func change(_ ids: [Int64], allowResolved: Bool, _ update: (Database, Int64) throws -> Void) throws {
        try write { db in
            for id in ids {
                guard
                    let status = try String.fetchOne(db, sql: "SELECT status FROM alerts WHERE id = ?", arguments: [id])
                else { throw AlertActionError(description: "no alert #\(id)") }
                if !allowResolved, status == "resolved" {
                    throw AlertActionError(description: "alert #\(id) is resolved")
                }
                try update(db, id)
            }
        }
    }

    /// Raises an `import_rejected` alert for a refused file (once per file content and day).
    public func raiseImportRejected(fileName: String, sha256: String, problem: String, on day: Day) throws {
        try write { db in
            try db.execute(
                sql: """
                    INSERT INTO alerts (client, kind, category, severity, title, explanation, first_seen, last_seen)
                    VALUES (NULL, 'import_rejected', ?, 'warning', ?, ?, ?, ?)
                    ON CONFLICT DO UPDATE SET explanation = excluded.explanation, last_seen = excluded.last_seen
                    """,
                arguments: [sha256, "\(fileName) was not imported", problem, day.number, day.number])
        }
    }

    /// Raises (or updates) the `scan_failed` alert of a scheduled scan that failed: one per day scanned.
    public func raiseScanFailed(on day: Day, reason: String, attempts: Int) throws {
        try raiseServiceFailure(
            .scanFailed, severity: .critical, on: day, title: "The scheduled scan of \(day.iso) failed",
            explanation: "\(reason) (\(attempts) \(attempts == 1 ? "try" : "tries") so far; the daemon keeps retrying)")
    }

    /// Resolves the `scan_failed` alerts once a scheduled scan succeeded again.
    public func resolveScanFailures(on day: Day) throws {
        try resolveServiceFailures(.scanFailed, on: day)
    }

    /// Raises (or updates) the `notify_failed` alert of a day whose `[notify] command` failed.
    public func raiseNotifyFailed(on day: Day, reason: String) throws {
        try raiseServiceFailure(
            .notifyFailed, severity: .warning, on: day, title: "The notification of \(day.iso)'s outbox failed",
            explanation: reason + "; the files are in the outbox all the same")
    }

    /// Resolves the `notify_failed` alerts once the command succeeded again.
    public func resolveNotifyFailures(on day: Day) throws {
        try resolveServiceFailures(.notifyFailed, on: day)
    }

    /// Raises (or updates) a failure of the service itself, one alert per kind and day. Raised again after it was
    /// resolved (the scan or the notification failed, worked, failed again), it is open again, as new; one not
    /// resolved keeps its status.
    private func raiseServiceFailure(
        _ kind: AlertKind, severity: Severity, on day: Day, title: String, explanation: String
    ) throws {
        try write { db in
            try db.execute(
                sql: """
                    INSERT INTO alerts (client, kind, category, severity, title, explanation, first_seen, last_seen)
                    VALUES (NULL, ?, ?, ?, ?, ?, ?, ?)
                    ON CONFLICT DO UPDATE SET explanation = excluded.explanation, last_seen = excluded.last_seen,
                        status = CASE WHEN status = 'resolved' THEN 'new' ELSE status END,
                        resolution = NULL, resolved_on = NULL
                    """,
                arguments: [
                    kind.rawValue, day.iso, severity.rawValue, title, explanation, day.number, day.number,
                ])
        }
    }

    /// Resolves the open alerts of a service failure's kind once the work succeeded again.
    private func resolveServiceFailures(_ kind: AlertKind, on day: Day) throws {
        try write { db in
            try db.execute(
                sql: """
                    UPDATE alerts SET status = 'resolved', snoozed_until = NULL, resolution = 'cleared', resolved_on = ?
                    WHERE kind = ? AND status != 'resolved'
                    """, arguments: [day.number, kind.rawValue])
        }
    }
}

extension AppDatabase {
    /// Alerts not resolved (new, acknowledged or snoozed), by severity.
    public func openAlertCounts() throws -> [Severity: Int] {
        try writer.read { db in
            var counts: [Severity: Int] = [:]
            let rows = try Row.fetchAll(
                db, sql: "SELECT severity, count(*) AS n FROM alerts WHERE status != 'resolved' GROUP BY severity")
            for row in rows {
                if let severity = Severity(rawValue: row["severity"]) { counts[severity] = row["n"] }
            }
            return counts
        }
    }
}
