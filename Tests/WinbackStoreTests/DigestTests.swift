import Testing

@testable import WinbackStore

/// The digest that tells a scan whether a client's stored verdict is the one it just made.
@Suite("Verdict digests")
struct DigestTests {
    func digest(_ values: [Any?]) -> Int64 {
        var digest = Digest()
        for value in values {
            switch value {
            case let text as String: digest.put(text)
            case let number as Int64: digest.put(number)
            case let real as Double: digest.put(real)
            default: digest.put(nil as String?)
            }
        }
        return digest.value
    }

    @Test("the same values give the same digest; a change in any byte, kind, order or split gives another")
    func tellsApart() {
        let reason = "buys every 14 days; silent for 45 days, 3.2× its mean gap — Café"
        let base: [Any?] = ["at_risk", Int64(20459), reason, nil, 0.25]
        #expect(digest(base) == digest(base))
        var seen: Set<Int64> = [digest(base)]
        // Each byte of the reason changed, one at a time (the bytes of every 8-byte word and of the tail).
        let bytes = Array(reason.utf8)
        for index in bytes.indices {
            var changed = bytes
            changed[index] ^= 0x01
            let text = String(decoding: changed, as: UTF8.self)
            guard text != reason else { continue }
            seen.insert(digest(["at_risk", Int64(20459), text, nil, 0.25]))
        }
        let variants: [[Any?]] = [
            ["at_risk", Int64(20460), reason, nil, 0.25],
            ["at_risk", Int64(20459), reason, "", 0.25],
            ["at_risk", Int64(20459), reason, Int64(0), 0.25],
            ["at_risk", Int64(20459), reason, nil, 0.25000000000000006],
            ["at_risk", Int64(20459), reason, nil, -0.25],
            ["at_risk", 20459.0, reason, nil, 0.25],
            ["at_ris", "k" as String?, Int64(20459), reason, nil, 0.25],
            ["at_risk", Int64(20459), nil, reason, 0.25],
            ["at_risk", Int64(20459), reason + " ", nil, 0.25],
            ["at_risk", Int64(20459), reason, nil, 0.25, nil],
        ]
        for variant in variants { seen.insert(digest(variant)) }
        #expect(seen.count == 1 + bytes.count + variants.count)
    }
}
