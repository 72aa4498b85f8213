import Foundation
import Testing
import WinbackCore

@testable import WinbackStore

@Suite("Stored findings")
struct StoredFindingsTests {
    @Test("findings written by hand read back as they were, and as the encoder's text reads")
    func roundTrip() throws {
        let findings = [
            Finding(
                criterion: .categoryDrop, verdict: .flag, category: "Böden \"innen\"\\außen",
                numbers: [Measure("share", 0.1), Measure("tiny", 1e-300), Measure("big", 5e20), Measure("zero", -0.0)],
                explanation: "line one\nline two\t– −74 % \u{1B}[31m \u{2028}"),
            Finding(criterion: .overdue, verdict: .lost, numbers: [], explanation: ""),
            Finding(
                criterion: .pAlive, verdict: .atRisk, numbers: [Measure("p_alive", 0.123456789012345678)],
                explanation: "P(alive) 12 %"),
        ]
        let text = try StoredFindings.text(findings)
        #expect(try StoredFindings.findings(text) == findings)
        let encoded = String(decoding: try JSONEncoder().encode(findings), as: UTF8.self)
        #expect(try StoredFindings.findings(encoded) == findings)
        #expect(try StoredFindings.text([]) == "[]")
        #expect(try StoredFindings.findings("[]") == [])
    }

    @Test("a number that is not finite is refused, as the encoder always refused it")
    func notFinite() {
        let finding = Finding(criterion: .decline, verdict: .atRisk, numbers: [Measure("ratio", .nan)], explanation: "")
        #expect(throws: (any Error).self) { try StoredFindings.text([finding]) }
    }
}

@Suite("Stored offers")
struct StoredOfferTests {
    /// Offers of every kind, with quotes, escapes, control characters and astral characters in their texts.
    static let offers = [
        Offer(kind: .discount, text: "15 % off \"Safety\" — {x}", discount: 15, rule: "dropped category"),
        Offer(kind: .gift, text: "A call and a gift", gift: "branded tool set", rule: "B at risk"),
        Offer(
            kind: .visit, text: "Visit\nby the head of sales\t/\\ 😀", discount: 12.5, rule: "lost key",
            pausedUntil: Day(iso: "2025-04-01")),
        Offer(kind: .offer, text: "Ünïcödé \u{1}", discount: 0.1, rule: "r"),
        Offer(kind: .offer, text: "", discount: 1e-7, rule: ""),
    ]

    @Test("an offer is stored with the keys of its Codable form, as JSONEncoder wrote them, and reads back the same")
    func asEncoded() throws {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys]
        for offer in Self.offers {
            let text = try StoredOffer.text(offer)
            let encoded = String(decoding: try encoder.encode(offer), as: UTF8.self)
            let keys = { (json: String) in
                try (JSONSerialization.jsonObject(with: Data(json.utf8)) as? [String: Any]).map { $0.keys.sorted() }
            }
            #expect(try keys(text) == keys(encoded))
            #expect(try JSONDecoder().decode(Offer.self, from: Data(text.utf8)) == offer)
        }
    }
}

@Suite("Stored offers, read back by hand")
struct StoredOfferReadingTests {
    @Test("every offer the store writes reads back by hand, as JSONDecoder reads it")
    func handReading() throws {
        for offer in StoredOfferTests.offers {
            var text = try StoredOffer.text(offer)
            #expect(text.withUTF8(FlatJSON.object) != nil, "\(text)")
            #expect(try StoredOffer.offer(text) == offer)
            #expect(try StoredOffer.offer(text) == JSONDecoder().decode(Offer.self, from: Data(text.utf8)))
        }
    }

    @Test("what the hand reader does not take, the decoder decides: its reading or its error")
    func fallsBack() throws {
        let decoded = try StoredOffer.offer(#"{"kind": "offer", "text": "t", "rule": "r", "extra": [1, 2]}"#)
        #expect(decoded == Offer(kind: .offer, text: "t", rule: "r"))
        #expect(
            try StoredOffer.offer(#" { "text" : "\u00e9\ud83d\ude00" , "rule":"r","kind":"gift","gift":null } "#)
                == Offer(kind: .gift, text: "é😀", rule: "r"))
        for bad in [
            #"{"kind": "offer", "text": "t"}"#, #"{"kind": "nope", "text": "t", "rule": "r"}"#,
            #"{"kind": "offer", "text": "t", "rule": "r", "discount": +1}"#,
            #"{"kind": "offer", "text": "t", "rule": "r", "discount": 01}"#,
            #"{"kind": "offer", "text": "t", "rule": "r", "pausedUntil": "2025-13-01"}"#,
            #"{"kind": "offer", "text": "\ud800", "rule": "r"}"#, #"{"kind": "offer", "text": "t", "rule": "r""#,
            #"{"kind": "offer", "text": "t", "rule": "r"} x"#, "",
        ] {
            #expect(throws: (any Error).self, "\(bad)") { try StoredOffer.offer(bad) }
        }
    }
}
