import GRDB
import GRDBSQLite
import WinbackCore

/// Writes a live scan's client states, ``batchSize`` clients per statement
/// (``Database/batched(_:rows:columns:control:sql:bind:returned:)``), in two tables: `client_verdicts`, what the scan
/// concludes (it changes for a few clients a day), and `client_numbers`, the day's numbers (they change for nearly
/// every client every day).
///
/// Each verdict row keeps a 64-bit digest of its values (``Digest``, of each value's kind and bytes in column order): a
/// verdict whose digest is the stored one is not even handed to SQLite, where comparing 100,000 rows column by
/// column cost a next-day scan a fifth of a second. A row edited by hand keeps its digest: set the digest to 0 to
/// have the next scan write it again. Numbers rows are rewritten where one of their values or the client's verdict
/// changed.
struct ClientStateWriter {
    static let batchSize = 64
    static let verdictColumns = [
        "client", "status", "status_since", "reason", "abc", "xyz", "variation", "dependence", "revenue", "margin",
        "first_purchase", "last_purchase", "purchase_days", "typical_interval", "spread", "expected_next", "findings",
        "season", "digest",
    ]
    /// `scan_id` is the scan that last wrote the row: it is not compared.
    static let numberColumns = [
        "client", "scan_id", "as_of", "days_silent", "share", "p_alive", "expected_purchases", "expected_value",
        "value_at_risk", "p_buy", "silence_probability", "mean_gap", "gap_variation",
    ]

    let db: Database
    let scanID: Int64
    let asOf: Day

    /// An insert of `rows` rows into `table` that replaces each client's earlier row in place; with `compared`, only
    /// where one of those columns differs (a rescan of the same day rewrites the rows it changed, not every page).
    static func upsertSQL(_ table: String, _ columns: [String], compared: ArraySlice<String>?, rows: Int) -> String {
        "INSERT INTO \(table) (" + columns.joined(separator: ", ") + ") VALUES "
            + placeholders(rows: rows, columns: columns.count) + " ON CONFLICT (client) DO UPDATE SET "
            + columns.dropFirst().map { "\($0) = excluded.\($0)" }.joined(separator: ", ")
            + (compared.map { " WHERE " + $0.map { "\(table).\($0) IS NOT excluded.\($0)" }.joined(separator: " OR ") }
                ?? "")
    }

    /// Writes the states of `clients`; `control` is ticked every few thousand.
    func write(_ clients: [(key: Int64, client: JudgedClient)], control: WorkControl?) throws {
        // Clients are borrowed from the array's memory: its subscript copied each one, every array of it retained.
        try clients.withUnsafeBufferPointer { try write($0, control: control) }
    }

    private func write(
        _ clients: UnsafeBufferPointer<(key: Int64, client: JudgedClient)>, control: WorkControl?
    ) throws {
        var stored: [Int64: Int64] = [:]
        stored.reserveCapacity(clients.count)
        let digests = RawCursor(try db.makeStatement(sql: "SELECT client, digest FROM client_verdicts"), db: db)
        while try digests.step() { stored[digests.int64(0)] = digests.int64(1) }
        // The verdicts that changed, with their findings as stored and their digest.
        var changed: [(row: Int, findings: String, digest: Int64)] = []
        // The others: their numbers are written only where they changed.
        var others: [Int] = []
        for row in clients.indices {
            if row & 0xFFF == 0 { try control?.checkpoint() }
            let findings = try StoredFindings.text(clients[row].client.assessment.findings)
            var digest = Digest()
            Self.verdict(clients[row].client, findings: findings, into: &digest)
            // 0 is the digest of a row written before digests were kept: never taken for current.
            if digest.value == 0 || stored[clients[row].key] != digest.value {
                changed.append((row, findings, digest.value))
            } else {
                others.append(row)
            }
        }
        try db.batched(
            changed.count, rows: Self.batchSize, columns: Self.verdictColumns.count, control: control,
            sql: { Self.upsertSQL("client_verdicts", Self.verdictColumns, compared: nil, rows: $0) }
        ) { handle, index, base in
            let item = changed[index]
            var binder = Binder(handle: handle, index: base + 1)
            binder.put(clients[item.row].key)
            Self.verdict(clients[item.row].client, findings: item.findings, into: &binder)
            binder.put(item.digest)
        }
        // A client whose verdict changed gets its numbers written too, changed or not: `scan_id` says which scan
        // last wrote anything of the client's state, as it did when the state was one row.
        for (rows, compared) in [(changed.map(\.row), false), (others, true)] {
            try db.batched(
                rows.count, rows: Self.batchSize, columns: Self.numberColumns.count, control: control,
                sql: {
                    Self.upsertSQL(
                        "client_numbers", Self.numberColumns,
                        compared: compared ? Self.numberColumns.dropFirst(2) : nil, rows: $0)
                }
            ) { handle, index, base in
                var binder = Binder(handle: handle, index: base + 1)
                numbers(clients[rows[index]].key, clients[rows[index]].client, into: &binder)
            }
        }
    }

    /// What the scan concluded of one client, in the order of ``verdictColumns`` between the client and the digest.
    private static func verdict(_ result: JudgedClient, findings: String, into sink: inout some ValueSink) {
        let assessment = result.assessment
        let facts = assessment.facts
        let classes = result.classes
        sink.put(assessment.status.status.rawValue)
        sink.put(Int64(assessment.statusSince.number))
        sink.put(assessment.status.reason)
        sink.put(classes.abc.rawValue)
        sink.put(classes.xyz?.rawValue)
        sink.put(classes.variation)
        sink.put(classes.dependence.rawValue)
        sink.put(facts.revenue.scaled)
        sink.put(facts.margin?.scaled)
        sink.put(facts.firstPurchase.map { Int64($0.number) })
        sink.put(facts.lastPurchase.map { Int64($0.number) })
        sink.put(Int64(facts.purchaseDays))
        sink.put(facts.rhythm)
        sink.put(facts.spread)
        sink.put(facts.expectedNextPurchase.map { Int64($0.number) })
        sink.put(findings)
        sink.put(facts.season?.description)
    }

    /// One client's numbers of the day, in the order of ``numberColumns``.
    private func numbers(_ key: Int64, _ result: JudgedClient, into sink: inout some ValueSink) {
        let model = result.model
        sink.put(key)
        sink.put(scanID)
        sink.put(Int64(asOf.number))
        sink.put(result.assessment.facts.daysSilent.map(Int64.init))
        sink.put(min(1, result.classes.share))
        sink.put(model?.pAlive)
        sink.put(model?.expectedPurchases)
        sink.put(model?.expectedValue?.scaled)
        sink.put(model?.valueAtRisk.scaled)
        sink.put(model?.pBuy)
        sink.put(model?.silenceProbability)
        sink.put(model?.meanGap)
        sink.put(model?.gapVariation)
    }
}

/// Where a row's values go, one after the other: bound to a statement, or into a digest.
protocol ValueSink {
    mutating func put(_ value: Int64?)
    mutating func put(_ value: Double?)
    mutating func put(_ value: String?)
}

/// Binds each value to the next parameter.
private struct Binder: ValueSink {
    let handle: SQLiteStatement
    var index: Int32

    mutating func put(_ value: Int64?) {
        bind(handle, index, value)
        index += 1
    }

    mutating func put(_ value: Double?) {
        bind(handle, index, value)
        index += 1
    }

    mutating func put(_ value: String?) {
        bind(handle, index, value)
        index += 1
    }
}

/// A 64-bit digest of each value's kind and bytes, eight bytes at a time (a multiply and a shift each): the same
/// values give the same digest in every process (Swift's `Hasher` is seeded per process).
struct Digest: ValueSink {
    private var hash: UInt64 = 0xCBF2_9CE4_8422_2325

    var value: Int64 { Int64(bitPattern: hash) }

    private mutating func add(_ word: UInt64) {
        hash = (hash ^ word) &* 0x9E37_79B9_7F4A_7C15
        hash ^= hash >> 29
    }

    mutating func put(_ value: Int64?) {
        guard let value else { return add(0) }
        add(1)
        add(UInt64(bitPattern: value))
    }

    mutating func put(_ value: Double?) {
        guard let value else { return add(0) }
        add(2)
        add(value.bitPattern)
    }

    mutating func put(_ value: String?) {
        guard var value else { return add(0) }
        add(3)
        value.withUTF8 { bytes in
            // The length first: ("ab", "c") and ("a", "bc") differ.
            add(UInt64(bytes.count))
            let raw = UnsafeRawBufferPointer(bytes)
            var offset = 0
            while offset + 8 <= raw.count {
                add(raw.loadUnaligned(fromByteOffset: offset, as: UInt64.self))
                offset += 8
            }
            var tail: UInt64 = 0
            for index in offset..<raw.count { tail |= UInt64(raw[index]) << UInt64(8 * (index - offset)) }
            add(tail)
        }
    }
}
