import WinbackCore

/// `alerts.jsonl`: one JSON object per open alert, one per line, keys always present and in this order.
///
/// The schema (version 1) is documented in the README; fields are only ever added, never renamed.
public enum AlertJSONLines {
    public static let schemaVersion = 1

    public static func render(_ alerts: [Alert], asOf: Day) -> String {
        String(decoding: bytes(alerts, asOf: asOf), as: UTF8.self)
    }

    /// The lines as UTF-8, written into one buffer (the outbox writes every alert of the book).
    public static func bytes(_ alerts: [Alert], asOf: Day) -> [UInt8] {
        var out = JSONBytes(capacity: alerts.count * 640)
        for alert in alerts {
            out.object(object(alert, asOf: asOf))
            out.raw("\n")
        }
        return out.bytes
    }

    private static func object(_ alert: Alert, asOf: Day) -> JSONObject {
        JSONObject([
            ("schema", .integer(Int64(schemaVersion))),
            ("as_of", .string(asOf.iso)),
            // 0: an alert of a replayed day that the live book never raised.
            ("id", alert.id > 0 ? .integer(alert.id) : .null),
            ("kind", .string(alert.kind.rawValue)),
            ("severity", .string(alert.severity.rawValue)),
            ("status", .string(alert.status.rawValue)),
            ("client_id", JSONObject.string(alert.clientID)),
            ("client_name", JSONObject.string(alert.clientName)),
            ("manager", JSONObject.string(alert.manager)),
            ("category", JSONObject.string(alert.category)),
            ("title", .string(alert.title)),
            ("explanation", .string(alert.explanation)),
            ("value", JSONObject.money(alert.value)),
            ("offer", Listings.json(alert.offer)),
            ("first_seen", .string(alert.firstSeen.iso)),
            ("last_seen", .string(alert.lastSeen.iso)),
            ("snoozed_until", JSONObject.day(alert.snoozedUntil)),
        ])
    }
}
