import Foundation
import GRDB
import WinbackCore

extension AppDatabase {
    /// Master data and contacts of every client as known on `asOf`, and whether contacts and dossiers are tracked at all.
    public func clientContexts(asOf: Day) throws -> (
        contexts: [Int64: ClientContext], contactsTracked: Bool, dossiersTracked: Bool
    ) {
        try writer.read { db in
            var contexts: [Int64: ClientContext] = [:]
            let clients = try Row.fetchCursor(
                db, sql: "SELECT id, client_id, name, manager, region, dossier_reviewed FROM clients")
            while let row = try clients.next() {
                contexts[row["id"]] = ClientContext(
                    clientID: row["client_id"], name: row["name"], manager: row["manager"], region: row["region"],
                    dossierReviewed: (row["dossier_reviewed"] as Int32?).map(Day.init(number:)))
            }
            let contacts = try Row.fetchCursor(
                db,
                sql: """
                    SELECT client, max(CASE WHEN outcome = 'positive' THEN day END) AS positive,
                           max(CASE WHEN outcome = 'negative' THEN day END) AS negative
                    FROM contacts WHERE day <= ? GROUP BY client
                    """, arguments: [asOf.number])
            while let row = try contacts.next() {
                let key: Int64 = row["client"]
                contexts[key]?.lastPositiveContact = (row["positive"] as Int32?).map(Day.init(number:))
                contexts[key]?.lastNegativeContact = (row["negative"] as Int32?).map(Day.init(number:))
            }
            let contactsTracked = try Bool.fetchOne(db, sql: "SELECT EXISTS (SELECT 1 FROM contacts)") ?? false
            let dossiersTracked =
                try Bool.fetchOne(db, sql: "SELECT EXISTS (SELECT 1 FROM clients WHERE dossier_reviewed IS NOT NULL)")
                ?? false
            return (contexts, contactsTracked, dossiersTracked)
        }
    }
}

/// Keeps one alert per client, kind, category and episode across scans, inside a scan's transaction.
struct AlertBook {
    let db: Database
    let asOf: Day
    /// The as-of day of the scan before this one: an alert seen then or later is still in its episode.
    let previousAsOf: Day?

    private struct Key: Hashable {
        var client: Int64
        var kind: String
        var category: String
    }

    func reconcile(_ alerts: [(client: Int64?, candidate: AlertCandidate)], wonBack: Set<Int64>) throws {
        // Snoozed alerts whose day has come wake up.
        try db.execute(
            sql:
                "UPDATE alerts SET status = 'new', snoozed_until = NULL WHERE status = 'snoozed' AND snoozed_until <= ?",
            arguments: [asOf.number])
        // The live alert of each key: unresolved, or resolved by hand within an episode still going on, or resolved
        // by a scan of this same day (a same-day rescan that clears a condition, then one that finds it again: the
        // episode goes on, reopened, instead of a second one starting on the same day).
        enum State { case open, resolvedByHand, clearedToday }
        var live: [Key: (id: Int64, state: State)] = [:]
        let rows = try Row.fetchCursor(
            db,
            sql: """
                SELECT id, coalesce(client, 0) AS client, kind, category, resolution FROM alerts
                WHERE kind NOT IN ('import_rejected', 'scan_failed', 'notify_failed')
                  AND (resolution IS NULL OR (resolution = 'manual' AND last_seen >= ?)
                       OR (resolution IN ('cleared', 'won_back') AND resolved_on = ?))
                ORDER BY id
                """, arguments: [(previousAsOf ?? asOf).number, asOf.number])
        while let row = try rows.next() {
            let resolution: String? = row["resolution"]
            let state: State = resolution == nil ? .open : resolution == "manual" ? .resolvedByHand : .clearedToday
            live[Key(client: row["client"], kind: row["kind"], category: row["category"])] = (row["id"], state)
        }
        // Tens of thousands of alerts are carried on at every scan of a large book: written many to a statement
        // (one statement each cost about 40 µs an alert, most of it SQLite's statement journal).
        let seenAgain = try db.makeStatement(sql: "UPDATE alerts SET last_seen = ? WHERE id = ?")
        var carried: [(id: Int64, candidate: AlertCandidate, offer: String?)] = []
        var fresh: [(client: Int64?, candidate: AlertCandidate, offer: String?)] = []
        var seen: Set<Key> = []
        for (client, candidate) in alerts {
            let key = Key(client: client ?? 0, kind: candidate.kind.rawValue, category: candidate.category ?? "")
            seen.insert(key)
            let offer = try candidate.offer.map { try StoredOffer.text($0) }
            if let existing = live[key] {
                switch existing.state {
                case .resolvedByHand:
                    try seenAgain.execute(arguments: [asOf.number, existing.id])
                case .open, .clearedToday:
                    carried.append((existing.id, candidate, offer))
                }
            } else {
                fresh.append((client, candidate, offer))
            }
        }
        let day = Int64(asOf.number)
        try db.batched(
            carried.count, rows: 64, columns: 7, control: nil,
            sql: { rows in
                """
                UPDATE alerts SET severity = v.column2, title = v.column3, explanation = v.column4, offer = v.column5,
                    value = v.column6, last_seen = max(last_seen, v.column7),
                    status = CASE WHEN resolution IS NULL THEN status ELSE 'new' END,
                    resolution = NULL, resolved_on = NULL
                FROM (VALUES \(placeholders(rows: rows, columns: 7))) AS v
                WHERE alerts.id = v.column1
                  -- Only an alert that changes is written: a rescan of the same day leaves the others' pages alone.
                  AND (severity IS NOT v.column2 OR title IS NOT v.column3 OR explanation IS NOT v.column4
                       OR offer IS NOT v.column5 OR value IS NOT v.column6 OR last_seen < v.column7
                       OR resolution IS NOT NULL OR resolved_on IS NOT NULL)
                """
            }
        ) { statement, row, base in
            let (id, candidate, offer) = carried[row]
            bind(statement, base + 1, id)
            bind(statement, base + 2, candidate.severity.rawValue)
            bind(statement, base + 3, candidate.title)
            bind(statement, base + 4, candidate.explanation)
            bind(statement, base + 5, offer)
            bind(statement, base + 6, candidate.value?.scaled)
            bind(statement, base + 7, day)
        }
        try db.batched(
            fresh.count, rows: 64, columns: 10, control: nil,
            sql: { rows in
                """
                INSERT INTO alerts (client, kind, category, severity, title, explanation, offer, value,
                                    first_seen, last_seen)
                VALUES \(placeholders(rows: rows, columns: 10))
                """
            }
        ) { statement, row, base in
            let (client, candidate, offer) = fresh[row]
            bind(statement, base + 1, client)
            bind(statement, base + 2, candidate.kind.rawValue)
            bind(statement, base + 3, candidate.category ?? "")
            bind(statement, base + 4, candidate.severity.rawValue)
            bind(statement, base + 5, candidate.title)
            bind(statement, base + 6, candidate.explanation)
            bind(statement, base + 7, offer)
            bind(statement, base + 8, candidate.value?.scaled)
            bind(statement, base + 9, day)
            bind(statement, base + 10, day)
        }
        // Open alerts whose condition no longer holds resolve themselves.
        let cleared = try db.makeStatement(
            sql: """
                UPDATE alerts SET status = 'resolved', snoozed_until = NULL, resolution = ?, resolved_on = ?
                WHERE id = ?
                """)
        for (key, existing) in live where !seen.contains(key) && existing.state == .open {
            guard let kind = AlertKind(rawValue: key.kind), kind.clearsItself else { continue }
            let resolution = kind.isLoss && wonBack.contains(key.client) ? "won_back" : "cleared"
            try cleared.execute(arguments: [resolution, asOf.number, existing.id])
        }
    }
}

/// A model fit as the store keeps it: parameters as JSON.
public struct StoredFit: Sendable, Equatable {
    public var parameters: String
    public var logLikelihood: Double
    public var clients: Int
    public var iterations: Int?
    public var converged: Bool

    public init(parameters: String, logLikelihood: Double, clients: Int, iterations: Int?, converged: Bool) {
        self.parameters = parameters
        self.logLikelihood = logLikelihood
        self.clients = clients
        self.iterations = iterations
        self.converged = converged
    }
}
