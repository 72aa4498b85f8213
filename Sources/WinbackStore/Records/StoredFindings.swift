import Foundation
import WinbackCore

/// A client's findings as `client_states` keeps them: a JSON array of objects with the keys of `Finding`'s
/// `Codable` form, so a state written by either way reads back the same.
public enum StoredFindings {
    /// The findings as stored. Written by hand: `JSONEncoder` took a second per 100,000 clients, most of whom have
    /// none. A number that is not finite goes through the encoder, which refuses it as it always did.
    public static func text(_ findings: [Finding]) throws -> String {
        if findings.isEmpty { return "[]" }
        if findings.contains(where: { $0.numbers.contains { !$0.value.isFinite } }) {
            return String(decoding: try JSONEncoder().encode(findings), as: UTF8.self)
        }
        let objects = findings.map { finding in
            let numbers = finding.numbers.map { measure in
                JSONObject.Value.object(
                    JSONObject([("name", .string(measure.name)), ("value", .number(measure.value))]))
            }
            return JSONObject([
                ("category", JSONObject.string(finding.category)), ("criterion", .string(finding.criterion.rawValue)),
                ("explanation", .string(finding.explanation)), ("numbers", .array(numbers)),
                ("verdict", .string(finding.verdict.rawValue)),
            ]).text
        }
        return "[" + objects.joined(separator: ",") + "]"
    }

    /// The findings back from their stored text.
    public static func findings(_ text: String) throws -> [Finding] {
        if text == "[]" { return [] }
        return try JSONDecoder().decode([Finding].self, from: Data(text.utf8))
    }
}

/// An offer as the alerts and the win-back list keep it: a JSON object with the keys of `Offer`'s `Codable` form (as
/// `JSONEncoder` wrote them before), read back by `JSONDecoder`. Written by hand: the encoder took a large part of
/// the 0.5–0.7 s that storing a 100,000-client book's 16,000-entry win-back list took.
public enum StoredOffer {
    public static func text(_ offer: Offer) throws -> String {
        if let discount = offer.discount, !discount.isFinite {
            let encoder = JSONEncoder()
            encoder.outputFormatting = [.sortedKeys]
            return String(decoding: try encoder.encode(offer), as: UTF8.self)
        }
        var fields: [(String, JSONObject.Value)] = []
        if let discount = offer.discount { fields.append(("discount", .number(discount))) }
        if let gift = offer.gift { fields.append(("gift", .string(gift))) }
        fields.append(("kind", .string(offer.kind.rawValue)))
        if let paused = offer.pausedUntil { fields.append(("pausedUntil", .string(paused.iso))) }
        fields.append(("rule", .string(offer.rule)))
        fields.append(("text", .string(offer.text)))
        return JSONObject(fields).text
    }
}
