import GRDB
import GRDBSQLite
import WinbackCore

/// Writes a live scan's client states, ``batchSize`` clients per statement (``Database/batched(_:rows:columns:control:sql:bind:returned:)``).
struct ClientStateWriter {
    static let batchSize = 64
    static let columns = [
        "client", "scan_id", "as_of", "status", "status_since", "reason", "abc", "xyz", "variation", "share",
        "dependence", "revenue", "margin", "first_purchase", "last_purchase", "purchase_days", "typical_interval",
        "spread", "expected_next", "days_silent", "findings", "p_alive", "expected_purchases", "expected_value",
        "value_at_risk", "p_buy", "silence_probability", "mean_gap", "gap_variation", "season",
    ]

    let db: Database
    let scanID: Int64
    let asOf: Day

    /// An insert of `rows` states that replaces each client's earlier one in place, only where something but the scan
    /// id differs: a rescan of the same day rewrites the states it changed, not every page of the table. `scan_id`
    /// is the scan that last wrote the row.
    static func upsertSQL(rows: Int) -> String {
        "INSERT INTO client_states (" + columns.joined(separator: ", ") + ") VALUES "
            + placeholders(rows: rows, columns: columns.count) + " ON CONFLICT (client) DO UPDATE SET "
            + columns.dropFirst().map { "\($0) = excluded.\($0)" }.joined(separator: ", ") + " WHERE "
            + columns.dropFirst(2).map { "client_states.\($0) IS NOT excluded.\($0)" }.joined(separator: " OR ")
    }

    /// Writes the states of `clients`; `control` is ticked every few thousand.
    func write(_ clients: [(key: Int64, client: JudgedClient)], control: WorkControl?) throws {
        try db.batched(
            clients.count, rows: Self.batchSize, columns: Self.columns.count, control: control, sql: Self.upsertSQL
        ) { handle, row, base in
            try bind(handle, base: base, clients[row].key, clients[row].client)
        }
    }

    /// Binds one client's state as the parameters after `base`, in the order of ``columns``.
    private func bind(_ handle: SQLiteStatement, base: Int32, _ key: Int64, _ result: JudgedClient) throws {
        let assessment = result.assessment
        let facts = assessment.facts
        let classes = result.classes
        let model = result.model
        WinbackStore.bind(handle, base + 1, key)
        WinbackStore.bind(handle, base + 2, scanID)
        WinbackStore.bind(handle, base + 3, Int64(asOf.number))
        WinbackStore.bind(handle, base + 4, assessment.status.status.rawValue)
        WinbackStore.bind(handle, base + 5, Int64(assessment.statusSince.number))
        WinbackStore.bind(handle, base + 6, assessment.status.reason)
        WinbackStore.bind(handle, base + 7, classes.abc.rawValue)
        WinbackStore.bind(handle, base + 8, classes.xyz?.rawValue)
        WinbackStore.bind(handle, base + 9, classes.variation)
        WinbackStore.bind(handle, base + 10, min(1, classes.share))
        WinbackStore.bind(handle, base + 11, classes.dependence.rawValue)
        WinbackStore.bind(handle, base + 12, facts.revenue.scaled)
        WinbackStore.bind(handle, base + 13, facts.margin?.scaled)
        WinbackStore.bind(handle, base + 14, facts.firstPurchase.map { Int64($0.number) })
        WinbackStore.bind(handle, base + 15, facts.lastPurchase.map { Int64($0.number) })
        WinbackStore.bind(handle, base + 16, Int64(facts.purchaseDays))
        WinbackStore.bind(handle, base + 17, facts.rhythm)
        WinbackStore.bind(handle, base + 18, facts.spread)
        WinbackStore.bind(handle, base + 19, facts.expectedNextPurchase.map { Int64($0.number) })
        WinbackStore.bind(handle, base + 20, facts.daysSilent.map(Int64.init))
        WinbackStore.bind(handle, base + 21, try StoredFindings.text(assessment.findings))
        WinbackStore.bind(handle, base + 22, model?.pAlive)
        WinbackStore.bind(handle, base + 23, model?.expectedPurchases)
        WinbackStore.bind(handle, base + 24, model?.expectedValue?.scaled)
        WinbackStore.bind(handle, base + 25, model?.valueAtRisk.scaled)
        WinbackStore.bind(handle, base + 26, model?.pBuy)
        WinbackStore.bind(handle, base + 27, model?.silenceProbability)
        WinbackStore.bind(handle, base + 28, model?.meanGap)
        WinbackStore.bind(handle, base + 29, model?.gapVariation)
        WinbackStore.bind(handle, base + 30, facts.season?.description)
    }
}
