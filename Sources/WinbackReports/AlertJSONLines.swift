import WinbackCore
import WinbackStore

/// `alerts.jsonl`: one JSON object per open alert, one per line, keys always present and in this order.
///
/// The schema (version 1) is documented in the README; fields are only ever added, never renamed.
public enum AlertJSONLines {
    public static let schemaVersion = 1

    public static func render(_ alerts: [AlertRecord], asOf: Day) -> String {
        alerts.map { line($0, asOf: asOf) + "\n" }.joined()
    }

    static func line(_ alert: AlertRecord, asOf: Day) -> String {
        func string(_ value: String?) -> String { value.map(JSONRenderer.jsonString) ?? "null" }
        func day(_ value: Day?) -> String { value.map { "\"\($0.iso)\"" } ?? "null" }
        let offer: String
        if let o = alert.offer {
            offer =
                "{\"kind\": \(string(o.kind.rawValue)), \"text\": \(string(o.text)), "
                + "\"discount_percent\": \(o.discount.map { fixed($0, 1) } ?? "null"), \"gift\": \(string(o.gift)), "
                + "\"no_visit_before\": \(day(o.pausedUntil))}"
        } else {
            offer = "null"
        }
        let fields: [(String, String)] = [
            ("schema", String(schemaVersion)),
            ("as_of", day(asOf)),
            // 0: an alert of a replayed day that the live book never raised.
            ("id", alert.id > 0 ? String(alert.id) : "null"),
            ("kind", string(alert.kind.rawValue)),
            ("severity", string(alert.severity.rawValue)),
            ("status", string(alert.status.rawValue)),
            ("client_id", string(alert.clientID)),
            ("client_name", string(alert.clientName)),
            ("manager", string(alert.manager)),
            ("category", string(alert.category)),
            ("title", string(alert.title)),
            ("explanation", string(alert.explanation)),
            ("value", alert.value.map { $0.decimalString() } ?? "null"),
            ("offer", offer),
            ("first_seen", day(alert.firstSeen)),
            ("last_seen", day(alert.lastSeen)),
            ("snoozed_until", day(alert.snoozedUntil)),
        ]
        return "{" + fields.map { "\"\($0.0)\": \($0.1)" }.joined(separator: ", ") + "}"
    }
}
