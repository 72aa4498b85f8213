/// How a terminal table meets the width it is given: the command line decides (from the terminal, `$COLUMNS` and
/// `--wide`); the renderer only obeys, so that tests can ask for any width.
public struct TableFit: Sendable, Equatable {
    /// The columns a line may take; nil for no limit (output that goes to a file or a program).
    public var width: Int?
    /// Every column, detail columns too, and every text whole (`--wide`); `width` is then ignored.
    public var wide: Bool

    public init(width: Int? = nil, wide: Bool = false) {
        self.width = width
        self.wide = wide
    }

    /// No width given: the columns a table shows by default, each text up to its column's `maxWidth`, one line a row.
    public static let unlimited = TableFit()
    /// `--wide`.
    public static let everything = TableFit(wide: true)

    /// How wide a column is drawn in a `--wide` table at most: a longer value is still written whole, it only pushes
    /// the rest of its own line to the right (a 1 MB name must not pad every other row to a megabyte).
    static let widestAligned = 1_000
}

extension Listing.Column {
    /// How much a column matters when a terminal cannot show them all: the least important give way first (from the
    /// right among equals); `key` columns never do.
    public enum Priority: Int, Comparable, Sendable {
        /// Shown only by `--wide` (and always in JSON and CSV).
        case detail
        case low, medium, high
        /// Always shown: what a row is about.
        case key

        public static func < (lhs: Priority, rhs: Priority) -> Bool { lhs.rawValue < rhs.rawValue }
    }

    /// How a long text column gives room in a narrow terminal instead of being dropped.
    public struct Flex: Sendable, Equatable {
        /// The share of the table's width the column keeps before less important columns give way.
        public var share: Double
        /// Text longer than the cell wraps between words over at most this many lines, the last shortened at a
        /// word with "…"; 1 shortens it at once.
        public var lines: Int

        public init(share: Double, lines: Int = 1) {
            self.share = share
            self.lines = max(1, lines)
        }
    }
}

/// Which columns a table shows and how wide each is drawn, for a given fit.
struct TableLayout: Equatable {
    /// Indices of the listing's columns to show, in their order.
    var columns: [Int]
    /// The width of each shown column.
    var widths: [Int]

    /// The narrowest a shrinking column gets when even the key columns do not fit at their shares.
    static let narrowest = 6

    /// - Parameters:
    ///   - longest: per column of the listing, the widest of its header and values, in terminal columns.
    ///   - longestWord: per column, its longest word: a flexible column keeps room for it, so that no word is cut.
    init(_ listing: Listing, longest: [Int], longestWord: [Int], fit: TableFit) {
        let all = listing.columns
        let headers = all.map { $0.header.count }
        if fit.wide {
            columns = Array(all.indices)
            widths = columns.map { max(headers[$0], min(longest[$0], TableFit.widestAligned)) }
            return
        }
        columns = all.indices.filter { all[$0].priority > .detail }
        let natural = all.indices.map { max(headers[$0], min(longest[$0], all[$0].maxWidth)) }
        guard let width = fit.width else {
            widths = columns.map { natural[$0] }
            return
        }
        // The least a column takes: a flexible one its share of the width and its longest word (never more than it
        // needs), others all.
        let least = all.indices.map { index -> Int in
            guard let flex = all[index].flex else { return natural[index] }
            return min(natural[index], max(headers[index], longestWord[index], Int(flex.share * Double(width))))
        }
        func total(_ kept: [Int], _ widths: (Int) -> Int) -> Int {
            kept.reduce(0) { $0 + widths($1) } + 2 * max(kept.count - 1, 0)
        }
        // Columns give way, least important first and from the right among equals, until the rest fits.
        var kept = columns
        while total(kept, { least[$0] }) > width,
            let victim = kept.reversed().filter({ all[$0].priority < .key }).min(by: {
                all[$0].priority < all[$1].priority
            })
        {
            kept.removeAll { $0 == victim }
        }
        columns = kept
        var drawn = kept.map { least[$0] }
        let flexible = kept.indices.filter { all[kept[$0]].flex != nil }
        var spare = width - total(kept, { least[$0] })
        let lacking = flexible.map { natural[kept[$0]] - drawn[$0] }
        let lack = lacking.reduce(0, +)
        if spare > 0, lack > 0 {
            // Room left: the flexible columns grow toward their natural widths, each by its part of what they lack;
            // what rounding leaves goes one column at a time from the left.
            let given = min(spare, lack)
            var left = given
            for (position, index) in flexible.enumerated() {
                let part = given * lacking[position] / lack
                drawn[index] += part
                left -= part
            }
            for index in flexible where left > 0 && drawn[index] < natural[kept[index]] {
                drawn[index] += 1
                left -= 1
            }
        }
        // Only key columns left and still too wide: the flexible ones shrink below their shares, widest first.
        while spare < 0,
            let widest = flexible.filter({ drawn[$0] > max(headers[kept[$0]], Self.narrowest) })
                .max(by: { drawn[$0] < drawn[$1] })
        {
            drawn[widest] -= 1
            spare += 1
        }
        widths = drawn
    }
}

/// Text fitted to a cell: wrapped between words, shortened at a word boundary, never cut inside a word unless a
/// single word is wider than the cell. A line may end at a space, but not at the one in `5 %` (nor at a no-break
/// space, as in `346.540 €`).
enum CellText {
    /// The characters of `text`, as `text.count` counts them, without Unicode's rules for joining scalars where
    /// no scalar can join another: ASCII but a carriage return (which joins a line feed), the rest of Latin-1 and the
    /// scalars up to the combining marks (U+0300), and the punctuation, currency, arrows, mathematical and technical
    /// signs from U+2010 to U+2BFF but the marks for symbols (U+20D0–U+20FF). Each such scalar is a character, so
    /// its UTF-8 lead bytes are counted. A reason's `−`, `±` and `×` then cost no grapheme breaking, which was a third
    /// of drawing the win-back list.
    static func characters(_ text: String) -> Int {
        var text = text
        return text.withUTF8 { bytes -> Int? in
            var count = 0
            var index = 0
            while index < bytes.count {
                let lead = bytes[index]
                switch lead {
                case 0x0D: return nil
                case ..<0x80: index += 1
                case 0xC2...0xCB: index += 2  // U+0080–U+02FF
                case 0xE2 where index + 2 < bytes.count:
                    // U+2000–U+2FFF: the second and third bytes say which.
                    let second = bytes[index + 1]
                    let third = bytes[index + 2]
                    let taken =
                        (second == 0x80 && third >= 0x90) || second == 0x81 || second == 0x82
                        || (second == 0x83 && third <= 0x8F) || (0x84...0xAF).contains(second)
                    guard taken else { return nil }
                    index += 3
                default: return nil
                }
                count += 1
            }
            return count
        } ?? text.count
    }

    /// `text` in lines of at most `width` characters, broken between words; more than `lines` lines are cut to
    /// `lines`, the last one shortened with "…".
    static func wrap(_ text: String, width: Int, lines: Int) -> [String] {
        guard characters(text) > width else { return [text] }
        guard lines > 1 else { return [shorten(text, to: width)] }
        var out: [String] = []
        var rest = Substring(text)
        while !rest.isEmpty {
            if out.count == lines - 1 {
                out.append(shorten(String(rest), to: width))
                break
            }
            let (line, remainder) = breakLine(rest, width: width)
            out.append(String(line))
            rest = remainder
        }
        return out
    }

    /// `text` shortened to `width` characters at the end of a word, with "…"; within a word only when the first
    /// word alone is wider than the cell.
    static func shorten(_ text: String, to width: Int) -> String {
        guard characters(text) > width else { return text }
        guard width > 1 else { return String(repeating: "…", count: max(width, 0)) }
        let text = Substring(text)
        let room = text.prefix(width - 1)
        var cut = lastBreak(text, upTo: room.endIndex).map { trimmed(text[..<$0]) } ?? ""
        if cut.isEmpty { cut = room }
        return String(cut) + "…"
    }

    /// The characters of the longest word in `text`: what a cell must hold for no word to be cut.
    static func longestWord(_ text: String) -> Int {
        var longest = 0
        var run = 0
        var text = text
        if text.utf8.allSatisfy({ $0 < 0x80 }) {
            // The same rule as isBreak(_:at:), on bytes: a space ends a word unless a "%" follows it.
            text.withUTF8 { bytes in
                for (index, byte) in bytes.enumerated() {
                    if byte == 0x20, index + 1 == bytes.count || bytes[index + 1] != UInt8(ascii: "%") {
                        run = 0
                    } else {
                        run += 1
                        longest = max(longest, run)
                    }
                }
            }
            return longest
        }
        let characters = Substring(text)
        var index = characters.startIndex
        while index < characters.endIndex {
            if isBreak(characters, at: index) {
                run = 0
            } else {
                run += 1
                longest = max(longest, run)
            }
            index = characters.index(after: index)
        }
        return longest
    }

    /// The first line of `text` in `width` characters, ending at the last break that fits (where the cell ends when
    /// one word is wider than it), and the rest.
    private static func breakLine(_ text: Substring, width: Int) -> (line: Substring, rest: Substring) {
        let room = text.prefix(width)
        guard room.endIndex < text.endIndex else { return (text, "") }
        var end = lastBreak(text, upTo: room.endIndex) ?? room.endIndex
        if trimmedEnd(text[..<end]).isEmpty { end = room.endIndex }
        return (trimmedEnd(text[..<end]), text[end...].drop { $0 == " " })
    }

    /// Whether a line may end before `index`: a space stands there, and no "%" after it.
    private static func isBreak(_ text: Substring, at index: Substring.Index) -> Bool {
        guard index < text.endIndex, text[index] == " " else { return false }
        let next = text.index(after: index)
        return next == text.endIndex || text[next] != "%"
    }

    /// The last break of `text` at or before `limit`, past its first character.
    private static func lastBreak(_ text: Substring, upTo limit: Substring.Index) -> Substring.Index? {
        var index = limit
        while index > text.startIndex {
            if isBreak(text, at: index) { return index }
            index = text.index(before: index)
        }
        return nil
    }

    /// Without trailing spaces and the separators a shortened text should not end on (`,` `;` `:`).
    private static func trimmed(_ text: Substring) -> Substring {
        var text = text
        while let last = text.last, last == " " || last == "," || last == ";" || last == ":" {
            text = text.dropLast()
        }
        return text
    }

    private static func trimmedEnd(_ text: Substring) -> Substring {
        var text = text
        while text.last == " " { text = text.dropLast() }
        return text
    }
}
