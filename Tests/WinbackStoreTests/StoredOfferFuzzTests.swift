import Foundation
import Testing
import WinbackCore
import WinbackSimulation

@testable import WinbackStore

/// The hand reader of stored offers against JSONDecoder, on random and adversarial texts: the same offer, or both
/// throw.
@Suite("Stored offers, fuzzed against JSONDecoder")
struct StoredOfferFuzzTests {
    static let numbers = [
        "0", "-0", "5", "15", "12.5", "0.1", "1e-7", "1E5", "1e+2", "1.0e-400", "1e-400", "4.9e-324", "2.5e-324",
        "2.4e-324", "1e-320", "2.2250738585072011e-308", "1.7976931348623157e308", "1.7976931348623159e308", "1e309",
        "123456789012345678901234567890", "0.30000000000000004", "9007199254740993", "0.1000000000000000055511151231257827",
        "01", "1.", ".5", "+1", "-", "1e", "NaN", "Infinity", "-Infinity", "0x10", "1_0", "--1", "1e-05", "-0.0",
        "0e0", "0E-0", "100000000000000000000000000000000000000000000000000000000000000000000000000000",
        "0.000000000000000000000000000000000000000000000000000000000000000000000000000001", "2e-1074",
        "1e-1000", "-1e-400", "18446744073709551616", "-9223372036854775809",
    ]
    static let strings = [
        #""""#, #""t""#, #""é""#, #""\u00e9""#, #""e\u0301""#, #""\ud83d\ude00""#, #""\ud800""#, #""\udc00""#,
        #""\ud83d\u0041""#, #""\u0000""#, #""\/\b\f\n\r\t\\\"""#, #""\x""#, #""\u12""#, #""\uZZZZ""#,
        "\"\u{7F}\"", "\"\u{85}\"", "\"\u{2028}\"", "\"raw\ttab\"", "\"raw\nnl\"", "\"😀\"", "\"\u{FEFF}\"",
        #""2025-04-01""#, #""2025-13-01""#, #""2025-02-30""#, #""2025-4-1""#, #""０２０２５""#, #""2025-04-01 ""#,
        #""\u0032025-04-01""#, #""\u00""#, #""\""#, #""\uD83D\uDE00""#, #""\uDBFF\uDFFF""#, #""\uFFFF""#,
        #""offer""#, #""gift""#, #""visit""#, #""discount""#, #""Offer""#, #""\u006ffer""#, #""offer ""#,
        "\"a\u{0}b\"",
    ]
    static let keys = [
        "kind", "text", "rule", "discount", "gift", "pausedUntil", "extra", "Kind", "paused_until", "\\u006bind",
        "te\\u0078t", "kind\\u0000", "k\u{0301}ind", "",
    ]
    static let spaces = ["", "", "", " ", "\t", "\n", "\r", " \n ", "\u{A0}", "\u{0B}", "\u{0C}", "\u{FEFF}"]

    static let validStrings = [
        #""""#, #""t""#, #""é""#, #""\u00e9""#, #""e\u0301""#, #""\ud83d\ude00""#, #""\u0000""#,
        #""\/\b\f\n\r\t\\\"""#, "\"\u{7F}\"", "\"\u{85}\"", "\"\u{2028}\"", "\"😀\"", "\"\u{FEFF}\"",
        #""\uD83D\uDE00""#, #""\uDBFF\uDFFF""#, #""\uFFFF""#, #""\u00""#, #""a\"b""#,
    ]
    static let validNumbers = [
        "0", "-0", "5", "15", "12.5", "0.1", "1e-7", "1E5", "1e+2", "4.9e-324", "2.5e-324", "1e-320",
        "2.2250738585072011e-308", "1.7976931348623157e308", "123456789012345678901234567890", "0.30000000000000004",
        "9007199254740993", "0.1000000000000000055511151231257827", "1e-05", "-0.0", "0e0", "0E-0",
        "0.000000000000000000000000000000000000000000000000000000000000000000000000000001", "18446744073709551616",
        "-9223372036854775809", "1.7976931348623158e308", "2.4703282292062328e-324", "2.4703282292062327e-324",
    ]

    static func clean(_ rng: inout SeededRandom, for key: String) -> String {
        switch key {
        case "kind": return rng.pick([#""offer""#, #""discount""#, #""gift""#, #""visit""#, #""\u0076isit""#])
        case "pausedUntil": return rng.pick([#""2025-04-01""#, #""2024-02-29""#, #""2023-02-29""#, "null"])
        case "discount": return rng.chance(0.1) ? "null" : rng.pick(validNumbers)
        case "gift": return rng.chance(0.1) ? "null" : rng.pick(validStrings)
        default: return rng.pick(validStrings)
        }
    }

    static func value(_ rng: inout SeededRandom, for key: String) -> String {
        if rng.chance(0.85) { return clean(&rng, for: key) }
        switch rng.int(10) {
        case 0, 1: return rng.pick(numbers)
        case 2, 3, 4: return rng.pick(strings)
        case 5: return "null"
        case 6: return rng.pick(["true", "false", "nul", "nulll", "NULL", "[]", "{}", "[1]", #"{"a":1}"#])
        default:
            switch key {
            case "kind": return rng.pick([#""offer""#, #""discount""#, #""gift""#, #""visit""#])
            case "pausedUntil": return rng.pick([#""2025-04-01""#, #""2024-02-29""#, #""2023-02-29""#, "null"])
            case "discount": return rng.pick(numbers)
            default: return rng.pick(strings)
            }
        }
    }

    static func text(_ rng: inout SeededRandom) -> String {
        var fields: [String] = []
        var chosen = ["kind", "text", "rule"]
        for optional in ["discount", "gift", "pausedUntil"] where rng.chance(0.5) { chosen.append(optional) }
        if rng.chance(0.1) { chosen.append(rng.pick(keys)) }
        if rng.chance(0.05), let drop = chosen.indices.randomElement(using: &rng) { chosen.remove(at: drop) }
        if rng.chance(0.05) { chosen.append(rng.pick(chosen)) }  // a duplicate key
        for index in chosen.indices.reversed() where rng.chance(0.3) {
            chosen.swapAt(index, rng.int(index + 1))
        }
        for key in chosen {
            let s = { (rng: inout SeededRandom) in rng.chance(0.8) ? "" : rng.pick(spaces) }
            fields.append("\(s(&rng))\"\(key)\"\(s(&rng)):\(s(&rng))\(value(&rng, for: key))\(s(&rng))")
        }
        var out = rng.pick(spaces) + "{" + fields.joined(separator: ",") + "}" + rng.pick(spaces)
        if rng.chance(0.05) {
            // A byte-level mutation: cut, or a stray character.
            var scalars = Array(out.unicodeScalars)
            let at = rng.int(scalars.count + 1)
            if rng.chance(0.5), at < scalars.count {
                scalars.remove(at: at)
            } else {
                scalars.insert(rng.pick([",", "}", "{", "\"", "\\", ":", " ", "x", "0"]), at: at)
            }
            var rebuilt = String.UnicodeScalarView()
            rebuilt.append(contentsOf: scalars)
            out = String(rebuilt)
        }
        return out
    }

    /// Numbers that underflow to zero: JSONDecoder refuses them ("not valid JSON"), Double(_:) gives 0.
    static let underflows = ["e-3", "e-4", "e-1"]

    static func same(_ a: Offer, _ b: Offer) -> Bool {
        a == b && a.discount?.bitPattern == b.discount?.bitPattern
    }

    @Test("the hand reader gives the decoder's offer or throws when it throws, on 50,000 texts")
    func fuzz() throws {
        var rng = SeededRandom(seed: 0x5EED)
        var failures: [String] = []
        var handled = 0
        var underflow = 0
        for _ in 0..<50_000 {
            let text = Self.text(&rng)
            let decoded = Result { try JSONDecoder().decode(Offer.self, from: Data(text.utf8)) }
            let read = Result { try StoredOffer.offer(text) }
            var copy = text
            if copy.withUTF8(FlatJSON.object) != nil { handled += 1 }
            switch (decoded, read) {
            case (.success(let a), .success(let b)) where Self.same(a, b): continue
            case (.failure, .failure): continue
            case (.failure, .success(let b)) where b.discount == 0 && Self.underflows.contains(where: text.contains):
                underflow += 1
            default:
                if failures.count < 30 { failures.append("\(text.debugDescription): decoder \(decoded), hand \(read)") }
            }
        }
        #expect(failures.isEmpty, "\(failures.joined(separator: "\n"))")
        #expect(handled > 2_500, "\(handled) texts read by hand")
        #expect(underflow == 0, "texts with a discount that underflows to 0, which the decoder refuses: \(underflow)")
    }

    @Test("numbers: each of a list of edge numbers as the discount reads the same as the decoder's")
    func numbers() throws {
        var failures: [String] = []
        for number in Self.numbers {
            let text = #"{"kind":"discount","text":"t","rule":"r","discount":\#(number)}"#
            let decoded = Result { try JSONDecoder().decode(Offer.self, from: Data(text.utf8)) }
            let read = Result { try StoredOffer.offer(text) }
            switch (decoded, read) {
            case (.success(let a), .success(let b)) where Self.same(a, b): continue
            case (.failure, .failure): continue
            default: failures.append("\(number): decoder \(decoded), hand \(read)")
            }
        }
        #expect(failures.isEmpty, "\(failures.joined(separator: "\n"))")
    }
}

extension SeededRandom {
    fileprivate mutating func int(_ n: Int) -> Int { Int(next() % UInt64(n)) }
    fileprivate mutating func pick<T>(_ items: [T]) -> T { items[int(items.count)] }
    fileprivate mutating func chance(_ p: Double) -> Bool { unit() < p }
}
