import Foundation
import WinbackCore

/// A client's findings as `client_verdicts` keeps them: a JSON array of objects with the keys of `Finding`'s
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

    /// The offer back from its stored text. Read by hand: `JSONDecoder` took a quarter of `winback alerts` at 22,000
    /// alerts. Anything but a flat object of the offer's keys with string, number or null values goes to the
    /// decoder, which decides as it always did.
    public static func offer(_ text: String) throws -> Offer {
        var copy = text
        if let fields = copy.withUTF8(FlatJSON.object), let offer = offer(fields) { return offer }
        return try JSONDecoder().decode(Offer.self, from: Data(text.utf8))
    }

    private static func offer(_ fields: [String: FlatJSON.Value]) -> Offer? {
        guard Set(fields.keys).isSubset(of: ["discount", "gift", "kind", "pausedUntil", "rule", "text"]),
            case .string(let kindName) = fields["kind"], let kind = OfferKind(rawValue: kindName),
            case .string(let text) = fields["text"], case .string(let rule) = fields["rule"]
        else { return nil }
        var offer = Offer(kind: kind, text: text, rule: rule)
        switch fields["discount"] {
        case nil, .null: break
        case .number(let discount): offer.discount = discount
        default: return nil
        }
        switch fields["gift"] {
        case nil, .null: break
        case .string(let gift): offer.gift = gift
        default: return nil
        }
        switch fields["pausedUntil"] {
        case nil, .null: break
        case .string(let iso):
            guard let day = Day(iso: iso) else { return nil }
            offer.pausedUntil = day
        default: return nil
        }
        return offer
    }
}

/// Offers read back from their stored texts, each distinct text parsed once: the tens of thousands of offers of a
/// book's alerts and win-back list come from a handful of rules.
struct StoredOfferReader {
    /// At most this many texts are remembered: a book whose every offer differed would not grow it further.
    private static let limit = 4096
    /// By the texts' bytes: Swift's `==` takes two spellings of an accented word for one, and each must come back as
    /// it was stored.
    private var known: [ByteText: Offer] = [:]

    mutating func offer(_ text: String?) throws -> Offer? {
        guard let text else { return nil }
        if let offer = known[ByteText(text)] { return offer }
        let offer = try StoredOffer.offer(text)
        if known.count < Self.limit { known[ByteText(text)] = offer }
        return offer
    }
}

/// A reader of one flat JSON object (string, number and null values), for the stored texts this store writes; nil
/// for anything else, so that the caller can hand it to `JSONDecoder`.
enum FlatJSON {
    enum Value: Equatable {
        case string(String)
        case number(Double)
        case null
    }

    static func object(_ bytes: UnsafeBufferPointer<UInt8>) -> [String: Value]? {
        var reader = Reader(bytes: bytes)
        var fields: [String: Value] = [:]
        reader.skipSpace()
        guard reader.take(UInt8(ascii: "{")) else { return nil }
        reader.skipSpace()
        if reader.take(UInt8(ascii: "}")) { return reader.atEnd ? fields : nil }
        while true {
            reader.skipSpace()
            guard let key = reader.string() else { return nil }
            reader.skipSpace()
            guard reader.take(UInt8(ascii: ":")) else { return nil }
            reader.skipSpace()
            guard let value = reader.value(), fields.updateValue(value, forKey: key) == nil else { return nil }
            reader.skipSpace()
            if reader.take(UInt8(ascii: ",")) { continue }
            guard reader.take(UInt8(ascii: "}")) else { return nil }
            return reader.atEnd ? fields : nil
        }
    }

    private struct Reader {
        let bytes: UnsafeBufferPointer<UInt8>
        var index = 0

        var atEnd: Bool {
            mutating get {
                skipSpace()
                return index == bytes.count
            }
        }

        mutating func skipSpace() {
            while index < bytes.count, [0x20, 0x09, 0x0A, 0x0D].contains(bytes[index]) { index += 1 }
        }

        mutating func take(_ byte: UInt8) -> Bool {
            guard index < bytes.count, bytes[index] == byte else { return false }
            index += 1
            return true
        }

        mutating func value() -> Value? {
            guard index < bytes.count else { return nil }
            switch bytes[index] {
            case UInt8(ascii: "\""): return string().map(Value.string)
            case UInt8(ascii: "n"):
                guard bytes.count - index >= 4, Array(bytes[index..<index + 4]) == Array("null".utf8) else {
                    return nil
                }
                index += 4
                return .null
            default:
                let start = index
                while index < bytes.count, "-+.eE0123456789".utf8.contains(bytes[index]) { index += 1 }
                let text = String(decoding: UnsafeBufferPointer(rebasing: bytes[start..<index]), as: UTF8.self)
                // JSON's number grammar (no leading zeros, no "+", no bare "."); Double parses what it allows.
                guard JSONObject.isNumber(text), let number = Double(text), number.isFinite else { return nil }
                // A number too small for a Double reads as zero here, and is refused by the decoder.
                let mantissa = text.utf8.prefix { $0 != UInt8(ascii: "e") && $0 != UInt8(ascii: "E") }
                if number == 0, mantissa.contains(where: { (UInt8(ascii: "1")...UInt8(ascii: "9")).contains($0) }) {
                    return nil
                }
                return .number(number)
            }
        }

        /// A string, its escapes decoded; nil for a malformed one.
        mutating func string() -> String? {
            guard take(UInt8(ascii: "\"")) else { return nil }
            var out: [UInt8] = []
            while index < bytes.count {
                let byte = bytes[index]
                index += 1
                switch byte {
                case UInt8(ascii: "\""): return String(validating: out, as: UTF8.self)
                case UInt8(ascii: "\\"):
                    guard index < bytes.count else { return nil }
                    let escape = bytes[index]
                    index += 1
                    switch escape {
                    case UInt8(ascii: "\""), UInt8(ascii: "\\"), UInt8(ascii: "/"): out.append(escape)
                    case UInt8(ascii: "b"): out.append(0x08)
                    case UInt8(ascii: "f"): out.append(0x0C)
                    case UInt8(ascii: "n"): out.append(0x0A)
                    case UInt8(ascii: "r"): out.append(0x0D)
                    case UInt8(ascii: "t"): out.append(0x09)
                    case UInt8(ascii: "u"):
                        guard var scalar = hex4() else { return nil }
                        if (0xD800..<0xDC00).contains(scalar) {
                            guard take(UInt8(ascii: "\\")), take(UInt8(ascii: "u")), let low = hex4(),
                                (0xDC00..<0xE000).contains(low)
                            else { return nil }
                            scalar = 0x10000 + ((scalar - 0xD800) << 10) + (low - 0xDC00)
                        }
                        guard let unicode = Unicode.Scalar(scalar) else { return nil }
                        out += Array(String(Character(unicode)).utf8)
                    default: return nil
                    }
                case 0..<0x20: return nil
                default: out.append(byte)
                }
            }
            return nil
        }

        private mutating func hex4() -> UInt32? {
            guard bytes.count - index >= 4 else { return nil }
            var value: UInt32 = 0
            for _ in 0..<4 {
                guard let digit = Character(Unicode.Scalar(bytes[index])).hexDigitValue else { return nil }
                value = value * 16 + UInt32(digit)
                index += 1
            }
            return value
        }
    }
}
