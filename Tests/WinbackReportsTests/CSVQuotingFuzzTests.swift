import Testing
import WinbackCore
import WinbackSimulation

@testable import WinbackReports

/// CSV fields written byte by byte against the scalar-by-scalar writing they replaced (abe61e2): byte-identical.
@Suite("CSV quoting, fuzzed against the earlier writer")
struct CSVQuotingFuzzTests {
    /// The earlier field writer (abe61e2's `CSVRenderer.write` and `field`), for text cells.
    static func oldField(_ text: String?, delimiter: UInt8) -> [UInt8] {
        var value = text ?? ""
        var out: [UInt8] = []
        let plain = value.withUTF8 { bytes -> Bool in
            if let first = bytes.first, first == 0x3D || first == 0x2B || first == 0x2D || first == 0x40 {
                return false
            }
            guard !bytes.contains(where: { $0 < 0x20 || $0 == 0x7F || $0 == 0xC2 || $0 == delimiter || $0 == 0x22 })
            else { return false }
            out.append(contentsOf: bytes)
            return true
        }
        if !plain {
            out.append(
                contentsOf: CSVRenderer.quote(
                    CSVRenderer.neutralise(escapeControls(text ?? "")), delimiter: delimiter
                ).utf8)
        }
        return out
    }

    static let pieces: [String] = [
        "a", "Z", "0", " ", ",", ";", "\t", "\"", "\"\"", "\r", "\n", "\r\n", "\u{0}", "\u{1B}", "\u{7F}", "\u{80}",
        "\u{85}", "\u{9F}", "\u{A0}", "°", "£", "é", "e\u{301}", "\"\u{301}", ",\u{301}", ";\u{301}", "ß", "€", "😀",
        "👩‍👩‍👧", "\u{2028}", "\u{FEFF}", "=", "+", "-", "@", "'", "\\", "|", "ü", "日本", "\u{10FFFF}", "\u{FFFD}",
        "=SUM(A1)", "-1", "+1", "@x", "Ã", "Â", "\u{C2}", "±", "\u{BF}",
    ]

    static func text(_ rng: inout SeededRandom) -> String {
        var out = ""
        for _ in 0..<rng.int(8) { out += pieces[rng.int(pieces.count)] }
        return out
    }

    @Test("random texts, each delimiter: the same bytes as before, and rows with several cells too")
    func sameBytes() {
        var rng = SeededRandom(seed: 42)
        var failures: [String] = []
        let locales: [(OutputLocale, UInt8)] = [
            (.plain, UInt8(ascii: ",")),
            (
                OutputLocale(
                    identifier: "de", currency: nil, numbers: .plain, csvDelimiter: ";", byteOrderMark: true),
                UInt8(ascii: ";")
            ),
            (
                OutputLocale(
                    identifier: "x", currency: nil, numbers: .plain, csvDelimiter: "\t", byteOrderMark: false),
                UInt8(ascii: "\t")
            ),
        ]
        for (locale, delimiter) in locales {
            for _ in 0..<20_000 {
                let cells: [String?] = (0..<3).map { _ in rng.int(10) == 0 ? nil : Self.text(&rng) }
                var listing = Listing(columns: (0..<3).map { Listing.Column(key: "c\($0)", header: "C\($0)") })
                listing.rows = [
                    cells.enumerated().map { index, text in
                        index == 2 ? .structured(text, .null) : .text(text)
                    }
                ]
                let table = CSVRenderer.encode(listing, locale: locale)
                var expected: [UInt8] = []
                for (index, text) in cells.enumerated() {
                    if index > 0 { expected.append(delimiter) }
                    expected += Self.oldField(text, delimiter: delimiter)
                }
                expected += [13, 10]
                if table.body != expected, failures.count < 20 {
                    failures.append(
                        "\(cells.map { $0.debugDescription }): \(String(decoding: table.body, as: UTF8.self).debugDescription) vs \(String(decoding: expected, as: UTF8.self).debugDescription)"
                    )
                }
            }
        }
        #expect(failures.isEmpty, "\(failures.joined(separator: "\n"))")
    }

    @Test("every scalar below U+0300 is escaped, in a CSV cell and on a terminal, exactly when it is a control")
    func controlsByScalar() {
        for value in UInt32(0)..<0x300 {
            let scalar = Unicode.Scalar(value)!
            let isControl = value < 0x20 || value == 0x7F || (0x80..<0xA0).contains(value)
            let text = "a" + String(Character(scalar)) + "b"
            let escaped = "a\\u{\(String(value, radix: 16))}b"
            #expect(escapeControls(text) == (isControl ? escaped : text), "U+\(String(value, radix: 16))")
            var listing = Listing(columns: [Listing.Column(key: "c", header: "C")])
            listing.rows = [[.text(text)]]
            let cell = String(decoding: CSVRenderer.encode(listing).body.dropLast(2), as: UTF8.self)
            // A control is shown escaped (a CR or LF then needs no quotes); a comma is quoted, a quote doubled too.
            let expected = isControl ? escaped : value == 0x2C ? "\"a,b\"" : value == 0x22 ? "\"a\"\"b\"" : text
            #expect(cell == expected, "U+\(String(value, radix: 16))")
        }
    }
}

extension SeededRandom {
    /// Uniform in 0..<n.
    fileprivate mutating func int(_ n: Int) -> Int { Int(next() % UInt64(n)) }
}
