import Foundation
import Testing
import WinbackCore

@testable import WinbackReports

/// Listings are written in parts on several threads: the bytes must be those of one pass.
@Suite("Listings written in parts")
struct RowPartsTests {
    /// Rows whose cells all have the same width, so that a table of some of them is drawn like the table of all: the
    /// parts can be checked against slices small enough to be written in one part each.
    static func listing(_ rows: Range<Int>) -> Listing {
        Listing(
            columns: [
                .init(key: "n", header: "n", priority: .key),
                .init(key: "text", header: "text", priority: .key),
                .init(key: "sign", header: "sign", priority: .high),
                .init(key: "value", header: "value", priority: .high),
            ], count: rows.count
        ) { index in
            let number = rows.lowerBound + index
            let padded = String(number).leftPadded(to: 6)
            return [
                .integer(number), .text("row \(padded), \"quoted\"; a,b"), .text(number % 2 == 0 ? "−5 %" : "±5 %"),
                // A JSON number, as wide in every row.
                .number(fixed(10_000 + Double(number) / 8, 3)),
            ]
        }
    }

    /// Enough rows for several parts on any machine (two at least, even on one core).
    static let count = 3 * RowParts.smallest + 17

    /// The lines of `text` after the first `skip`, without the commas that end a JSON array's elements.
    func body(_ text: [UInt8], skip: Int) -> [Substring] {
        String(decoding: text, as: UTF8.self).split(separator: "\n", omittingEmptySubsequences: false)
            .dropFirst(skip).map { $0.hasSuffix(",") ? $0.dropLast() : $0 }
    }

    @Test("JSON, CSV and tables of many rows are their slices' rows, in order, each once")
    func partsInOrder() throws {
        #expect(RowParts.parts(Self.count) >= 2, "the listing is written in parts")
        let whole = Self.listing(0..<Self.count)
        let slices = stride(from: 0, to: Self.count, by: RowParts.smallest - 1).map {
            Self.listing($0..<min($0 + RowParts.smallest - 1, Self.count))
        }
        #expect(slices.allSatisfy { RowParts.parts($0.rowCount) == 1 }, "each slice is written in one pass")
        // JSON: the lines between the brackets.
        let json = body(JSONRenderer.bytes(whole), skip: 1).dropLast(2)
        #expect(Array(json) == slices.flatMap { body(JSONRenderer.bytes($0), skip: 1).dropLast(2) })
        let objects = try jsonObjects(String(decoding: JSONRenderer.bytes(whole), as: UTF8.self))
        #expect(objects.map { $0["n"] as? Int } == (0..<Self.count).map { $0 })
        #expect(objects.map { $0["value"] as? Double } == (0..<Self.count).map { 10_000 + Double($0) / 8 })
        // A table: the lines under the header.
        let table = body(TableRenderer.bytes(whole), skip: 2)
        #expect(table == slices.flatMap { body(TableRenderer.bytes($0), skip: 2).dropLast() } + [""])
        // CSV, and where each row ends: a manager's file is cut from the whole book's by them.
        let csv = CSVRenderer.encode(whole, locale: .plain)
        let parts = slices.map { CSVRenderer.encode($0, locale: .plain) }
        #expect(csv.body == parts.flatMap(\.body))
        var offset = 0
        var ends: [Int] = []
        for part in parts {
            ends += part.ends.map { $0 + offset }
            offset += part.body.count
        }
        #expect(csv.ends == ends)
        // Rows picked across the parts' seams: each is its own row's line.
        let picked = [0, RowParts.smallest - 1, RowParts.smallest, 2 * RowParts.smallest + 1, Self.count - 1]
        let lines = String(decoding: csv.bytes(rows: picked).dropFirst(csv.header.count), as: UTF8.self)
        #expect(lines.split(separator: "\r\n").map { $0.prefix { $0 != "," } } == picked.map { "\($0)"[...] })
    }

    @Test("an empty listing and one of a single row are written as before")
    func fewRows() {
        #expect(JSONRenderer.render(Self.listing(0..<0)) == "[]\n")
        #expect(JSONRenderer.render(Self.listing(0..<1)).hasPrefix("[\n  {\"n\": 0, "))
        #expect(CSVRenderer.encode(Self.listing(0..<0)).ends.isEmpty)
        #expect(TableRenderer.render(Self.listing(0..<0)).split(separator: "\n").count == 2)
    }

    @Test("characters are counted as Swift counts them, joining scalars and all")
    func characters() {
        // Every scalar the count takes without Unicode's rules, between letters and doubled.
        for value in UInt32(0)..<0x2C00 {
            guard let scalar = Unicode.Scalar(value) else { continue }
            for text in ["a\(scalar)a", "\(scalar)\(scalar)"] {
                #expect(CellText.characters(text) == text.count, "U+\(String(value, radix: 16))")
            }
        }
        // Mixed with scalars that join their neighbours: combining marks, a joiner, a variation selector, CR LF,
        // Hangul jamo, regional indicators, an emoji.
        let pool: [Unicode.Scalar] = [
            "a", "Z", " ", "%", "\r", "\n", "\u{E9}", "\u{B1}", "\u{D7}", "\u{2212}", "\u{2026}", "\u{20AC}",
            "\u{2192}", "\u{2BFF}", "\u{2C00}", "\u{301}", "\u{20D7}", "\u{200D}", "\u{200C}", "\u{FE0F}", "\u{1100}",
            "\u{1161}", "\u{11A8}", "\u{1F1E9}", "\u{1F1EA}", "\u{1F600}", "\u{0600}", "\u{0903}", "\u{85}",
        ]
        var seed: UInt64 = 0x9E37_79B9_7F4A_7C15
        func next(_ bound: Int) -> Int {
            seed = seed &* 6_364_136_223_846_793_005 &+ 1_442_695_040_888_963_407
            return Int((seed >> 33) % UInt64(bound))
        }
        for _ in 0..<20_000 {
            var text = ""
            for _ in 0..<next(10) { text.unicodeScalars.append(pool[next(pool.count)]) }
            #expect(CellText.characters(text) == text.count, "\(text.unicodeScalars.map { $0.value })")
        }
    }

    @Test("control characters are shown, whatever bytes their neighbours have")
    func controls() {
        #expect(escapeControls("a\u{85}b\u{9F}c") == "a\\u{85}b\\u{9f}c")
        #expect(escapeControls("\u{1B}[2J\u{7F}") == "\\u{1b}[2J\\u{7f}")
        // The same lead byte (0xC2) before printable characters: no-break space, ±, ©.
        #expect(escapeControls("\u{A0}±©\u{C2}") == "\u{A0}±©\u{C2}")
        #expect(escapeControls("±\u{80}") == "±\\u{80}")
    }
}
