import WinbackCore

/// Aligned columns for a terminal; numbers right-aligned, control characters from data made visible.
///
/// The table fits a ``TableFit``: the columns that do not fit give way by their priority, and long text wraps or is
/// shortened at a word within its cell (``TableLayout``, ``CellText``); a wrapped row takes several lines.
public enum TableRenderer {
    public static func render(_ report: Listing, fit: TableFit = .unlimited) -> String {
        String(decoding: bytes(report, fit: fit), as: UTF8.self)
    }

    /// The table's UTF-8 bytes.
    public static func bytes(_ report: Listing, fit: TableFit = .unlimited) -> [UInt8] {
        chunks(report, fit: fit).concatenated()
    }

    /// The table's UTF-8 bytes in the pieces they were written in, one after the other.
    static func chunks(_ report: Listing, fit: TableFit) -> [[UInt8]] {
        // Only the columns that may be drawn are prepared: detail columns wait for --wide. Each cell's text and width
        // are worked out once, in parts of the rows on the machine's threads.
        let candidates = report.columns.indices.filter { fit.wide || report.columns[$0].priority > .detail }
        let flexible = candidates.indices.filter {
            fit.width != nil && !fit.wide && report.columns[candidates[$0]].flex != nil
        }
        let parts = RowParts.map(report.rowCount) { rows in
            CellPart(report, rows: rows, candidates: candidates, flexible: flexible)
        }
        var longest = report.columns.map { width($0.header) }
        // A flexible column's longest word, when the table is fitted to a width: it keeps room for it.
        var longestWord = report.columns.map { _ in 0 }
        for part in parts {
            for (position, index) in candidates.enumerated() {
                longest[index] = max(longest[index], part.longest[position])
                longestWord[index] = max(longestWord[index], part.longestWord[position])
            }
        }
        let layout = TableLayout(report, longest: longest, longestWord: longestWord, fit: fit)
        let positions = layout.columns.map { candidates.firstIndex(of: $0)! }
        let widths = layout.widths
        let first = report.rowCount > 0 ? report.row(0) : nil
        let right = layout.columns.map { index -> Bool in
            if case .number = first?[index] { return true }
            return report.columns[index].alignRight
        }
        // How many lines a value longer than its cell may take (1: shortened): without a width, every row is one
        // line, for the programs that read it; --wide writes every value whole.
        let lines = layout.columns.map { fit.width == nil ? 1 : report.columns[$0].flex?.lines ?? 1 }
        let lineWidth = widths.reduce(0, +) + 2 * widths.count + 1
        var head = Lines(widths: widths, right: right, capacity: 3 * lineWidth)
        head.write(layout.columns.map { report.columns[$0].header })
        head.write(widths.map { String(repeating: "-", count: $0) })
        // The rows' lines in the same parts, on the same threads: a table of 100,000 clients is 20 MB.
        return RowParts.each(parts.count) { part in
            var out = Lines(widths: widths, right: right, capacity: parts[part].cells.count * lineWidth)
            for (values, valueWidths) in zip(parts[part].cells, parts[part].widths) {
                if fit.wide || positions.indices.allSatisfy({ valueWidths[positions[$0]] <= widths[$0] }) {
                    out.write(positions.map { values[$0] }, widths: positions.map { valueWidths[$0] })
                    continue
                }
                // A value wider than its cell wraps over lines (or is shortened); the row takes as many as its
                // tallest.
                let wrapped = positions.enumerated().map { column, position in
                    valueWidths[position] <= widths[column]
                        ? [values[position]]
                        : CellText.wrap(values[position], width: widths[column], lines: lines[column])
                }
                for number in 0..<(wrapped.map(\.count).max() ?? 1) {
                    out.write(wrapped.map { number < $0.count ? $0[number] : "" })
                }
            }
            return out.bytes
        }.inserting(head.bytes)
    }

    /// The cells of some rows as a terminal shows them, with their widths, and the widest value (and word) of each
    /// column among them.
    private struct CellPart: Sendable {
        var cells: [[String]] = []
        var widths: [[Int]] = []
        var longest: [Int]
        var longestWord: [Int]

        init(_ report: Listing, rows: Range<Int>, candidates: [Int], flexible: [Int]) {
            longest = candidates.map { _ in 0 }
            longestWord = longest
            cells.reserveCapacity(rows.count)
            widths.reserveCapacity(rows.count)
            for index in rows {
                let row = report.row(index)
                let values = candidates.map { display(row[$0]) }
                let valueWidths = values.map(width)
                for position in valueWidths.indices where valueWidths[position] > longest[position] {
                    longest[position] = valueWidths[position]
                }
                for position in flexible {
                    longestWord[position] = max(longestWord[position], CellText.longestWord(values[position]))
                }
                cells.append(values)
                widths.append(valueWidths)
            }
        }
    }

    /// Lines of a table being written: values padded to their columns' widths, two spaces between, no spaces at
    /// the end of a line.
    private struct Lines {
        let widths: [Int]
        let right: [Bool]
        var bytes: [UInt8] = []

        init(widths: [Int], right: [Bool], capacity: Int) {
            self.widths = widths
            self.right = right
            bytes.reserveCapacity(capacity)
        }

        /// One line of `values`, one a column, each `valueWidths` wide (counted here when not given).
        mutating func write(_ values: [String], widths valueWidths: [Int]? = nil) {
            for (column, value) in values.enumerated() {
                if column > 0 { bytes.append(contentsOf: [0x20, 0x20]) }
                let valueWidth = valueWidths?[column] ?? TableRenderer.width(value)
                let pad = repeatElement(UInt8(0x20), count: max(widths[column] - valueWidth, 0))
                if right[column] { bytes.append(contentsOf: pad) }
                bytes.append(contentsOf: value.utf8)
                if !right[column] { bytes.append(contentsOf: pad) }
            }
            while bytes.last == 0x20 { bytes.removeLast() }
            bytes.append(0x0A)
        }
    }

    /// Columns a value takes: its characters (``CellText/characters(_:)``).
    fileprivate static func width(_ text: String) -> Int {
        CellText.characters(text)
    }

    /// A cell as a terminal shows it, whole: the layout decides where it wraps or is shortened.
    private static func display(_ cell: Listing.Cell) -> String {
        switch cell {
        case .text(let value): return escapeControls(value ?? "")
        case .number(let value): return value ?? ""
        case .date(let value): return value?.iso ?? ""
        case .structured(let text, _): return escapeControls(text ?? "")
        }
    }
}

/// One JSON array of objects with snake_case keys, in column order, one object per line: written by
/// ``JSONObject``, as every JSON winback prints.
public enum JSONRenderer {
    public static func render(_ report: Listing) -> String {
        String(decoding: bytes(report), as: UTF8.self)
    }

    /// The JSON's UTF-8 bytes.
    public static func bytes(_ report: Listing) -> [UInt8] {
        chunks(report).concatenated()
    }

    /// The JSON's UTF-8 bytes in the pieces they were written in, one after the other.
    static func chunks(_ report: Listing) -> [[UInt8]] {
        // Each key with its colon, escaped once for every row, all in one buffer.
        var keys = JSONBytes(capacity: 24 * report.columns.count)
        let keyEnds = report.columns.map { column in
            keys.string(column.key)
            keys.raw(": ")
            return keys.bytes.count
        }
        let allKeys = keys.bytes
        // As `JSONBytes.array` writes an array: 100,000 clients are 50 MB of JSON, written cell by cell in parts.
        guard report.rowCount > 0 else { return [Array("[]\n".utf8)] }
        return RowParts.map(report.rowCount) { rows in
            var out = JSONBytes(capacity: rows.count * (24 + 32 * report.columns.count))
            // The keys are one buffer, read through its memory: no key is retained for a cell, so the parts' threads
            // do not queue for the same reference counts, as they did with an array of keys.
            allKeys.withUnsafeBufferPointer { keyBytes in
                for index in rows {
                    out.raw(index == 0 ? "  {" : ",\n  {")
                    let row = report.row(index)
                    for column in 0..<min(keyEnds.count, row.count) {
                        if column > 0 { out.raw(", ") }
                        out.raw(bytes: keyBytes[(column == 0 ? 0 : keyEnds[column - 1])..<keyEnds[column]])
                        write(row[column], to: &out)
                    }
                    out.raw("}")
                }
            }
            return out.bytes
        }.inserting(Array("[\n".utf8), appending: Array("\n]\n".utf8))
    }

    /// A cell's value, as ``value(_:)`` gives it, without building the value for text and numbers.
    private static func write(_ cell: Listing.Cell, to out: inout JSONBytes) {
        switch cell {
        case .text(let text?): out.string(text)
        case .number(let number?) where JSONObject.isNumber(number): out.raw(number)
        default: out.value(value(cell))
        }
    }

    static func value(_ cell: Listing.Cell) -> JSONObject.Value {
        switch cell {
        case .text(let text): return JSONObject.string(text)
        // A number cell whose text is not a JSON number (`n/a`, `∞` for a value that is not finite) is null.
        case .number(let number): return number.flatMap { JSONObject.isNumber($0) ? .decimal($0) : nil } ?? .null
        case .date(let day): return JSONObject.day(day)
        case .structured(_, let value): return value
        }
    }
}

/// RFC 4180 CSV for spreadsheets, safe against formula injection: a text cell that a spreadsheet would
/// run as a formula (starting with `=`, `+`, `-`, `@`, tab or CR) gets a leading apostrophe. Numbers
/// and dates are never touched.
public enum CSVRenderer {
    /// The listing as CSV in the dialect of `locale`: its delimiter, its decimal mark in numbers (never grouped, so
    /// that a spreadsheet reads them as numbers) and, where it asks for one, a UTF-8 byte order mark.
    public static func render(_ report: Listing, locale: OutputLocale = .plain) -> String {
        let table = encode(report, locale: locale)
        return String(decoding: table.header + table.body, as: UTF8.self)
    }

    /// The listing's CSV bytes, with where each row ends: the outbox writes the whole book's file and each manager's
    /// rows of it from one encoding.
    public static func encode(_ report: Listing, locale: OutputLocale = .plain) -> CSVTable {
        let delimiter = locale.csvDelimiter.asciiValue ?? UInt8(ascii: ",")
        var header: [UInt8] = locale.byteOrderMark ? [0xEF, 0xBB, 0xBF] : []
        for (index, column) in report.columns.enumerated() {
            if index > 0 { header.append(delimiter) }
            header.append(contentsOf: quote(column.key, delimiter: delimiter).utf8)
        }
        header.append(contentsOf: [13, 10])
        // Written in parts, each into its own buffer with where its rows end, then put together.
        let numbers = locale.numbers
        let parts = RowParts.map(report.rowCount) { rows in
            var out: [UInt8] = []
            out.reserveCapacity(rows.count * 24 * max(report.columns.count, 1))
            var ends: [Int] = []
            ends.reserveCapacity(rows.count)
            for index in rows {
                for (column, cell) in report.row(index).enumerated() {
                    if column > 0 { out.append(delimiter) }
                    write(cell, delimiter: delimiter, numbers: numbers, to: &out)
                }
                out.append(contentsOf: [13, 10])
                ends.append(out.count)
            }
            return (bytes: out, ends: ends)
        }
        var ends: [Int] = []
        ends.reserveCapacity(report.rowCount)
        var offset = 0
        for part in parts {
            ends.append(contentsOf: part.ends.lazy.map { $0 + offset })
            offset += part.bytes.count
        }
        let out = parts.map(\.bytes).concatenated()
        return CSVTable(header: header, body: out, ends: ends)
    }

    /// One field's bytes, as ``field(_:delimiter:)`` writes it; text without a control character or a leading sign
    /// to neutralise is copied as it is, quoted when it holds a delimiter or a quote.
    private static func write(_ cell: Listing.Cell, delimiter: UInt8, numbers: NumberStyle, to out: inout [UInt8]) {
        let text: String?
        switch cell {
        case .text(let value): text = value
        case .structured(let value, _): text = value
        case .number(let number): return out.append(contentsOf: numbers.decimal(number ?? "").utf8)
        case .date: return out.append(contentsOf: field(cell, delimiter: delimiter).utf8)
        }
        var value = text ?? ""
        let plain = value.withUTF8 { bytes -> Bool in
            // Controls are below 0x20, 0x7F, or C1 (0xC2 0x80–0x9F in UTF-8); a leading = + - @ is neutralised;
            // a delimiter, quote, CR or LF is quoted. None of these bytes occurs inside another character's UTF-8.
            if let first = bytes.first, first == 0x3D || first == 0x2B || first == 0x2D || first == 0x40 {
                return false
            }
            guard !containsControl(bytes) else { return false }
            guard bytes.contains(where: { $0 == delimiter || $0 == 0x22 }) else {
                out.append(contentsOf: bytes)
                return true
            }
            // Quoted, its quotes doubled, as ``quote(_:delimiter:)`` does by scalars (an explanation has commas).
            out.append(0x22)
            for byte in bytes {
                if byte == 0x22 { out.append(0x22) }
                out.append(byte)
            }
            out.append(0x22)
            return true
        }
        if !plain { out.append(contentsOf: field(cell, delimiter: delimiter).utf8) }
    }

    private static func field(_ cell: Listing.Cell, delimiter: UInt8) -> String {
        switch cell {
        // Control characters from data (an ESC, a stray CR) are shown, never passed to the spreadsheet or terminal.
        case .text(let text): return quote(neutralise(escapeControls(text ?? "")), delimiter: delimiter)
        case .number(let number): return number ?? ""
        case .date(let day): return day?.iso ?? ""
        case .structured(let text, _): return quote(neutralise(escapeControls(text ?? "")), delimiter: delimiter)
        }
    }

    public static func neutralise(_ text: String) -> String {
        guard let first = text.unicodeScalars.first, "=+-@\t\r".unicodeScalars.contains(first) else { return text }
        return "'" + text
    }

    /// Quoted by scalars, not `Character`s: a quote or a comma followed by a combining mark is one `Character` to
    /// Swift, and still a quote or a comma to a spreadsheet.
    public static func quote(_ text: String, delimiter: UInt8 = UInt8(ascii: ",")) -> String {
        let delimiter = Unicode.Scalar(delimiter)
        guard text.unicodeScalars.contains(where: { $0 == delimiter || $0 == "\"" || $0 == "\n" || $0 == "\r" })
        else {
            return text
        }
        var out = "\""
        for scalar in text.unicodeScalars {
            if scalar == "\"" { out.unicodeScalars.append(scalar) }
            out.unicodeScalars.append(scalar)
        }
        out.unicodeScalars.append("\"")
        return out
    }
}

/// A listing encoded as CSV: the header line (after the byte order mark, where there is one) and the rows' bytes,
/// with the end of each row.
public struct CSVTable: Sendable {
    public var header: [UInt8]
    public var body: [UInt8]
    public var ends: [Int]

    /// The header and the rows at `rows` (indices into the listing's rows, in order).
    public func bytes(rows: [Int]) -> [UInt8] {
        var out = header
        out.reserveCapacity(header.count + rows.count * (body.count / max(ends.count, 1) + 1))
        for row in rows {
            out.append(contentsOf: body[(row == 0 ? 0 : ends[row - 1])..<ends[row]])
        }
        return out
    }

    /// The whole file.
    public var bytes: [UInt8] { header + body }
}

/// Whether UTF-8 `bytes` hold a control character: a byte below 0x20 or 0x7F, or a C1 control (0xC2 then 0x80–0x9F).
/// None of these bytes occurs inside another character's UTF-8; the other characters of 0xC2 (a no-break space, "±")
/// are no controls.
func containsControl(_ bytes: UnsafeBufferPointer<UInt8>) -> Bool {
    bytes.indices.contains { index in
        let byte = bytes[index]
        return byte < 0x20 || byte == 0x7F || (byte == 0xC2 && index + 1 < bytes.count && bytes[index + 1] < 0xA0)
    }
}

/// Control characters from data shown as `\u{1b}`, so that a client name cannot move the cursor or clear the screen.
public func escapeControls(_ text: String) -> String {
    // Looked for in the UTF-8 bytes.
    var copy = text
    guard copy.withUTF8(containsControl) else { return text }
    var out = ""
    for scalar in text.unicodeScalars {
        if scalar.value < 0x20 || scalar.value == 0x7F || (0x80..<0xA0).contains(scalar.value) {
            out += "\\u{\(String(scalar.value, radix: 16))}"
        } else {
            out.unicodeScalars.append(scalar)
        }
    }
    return out
}
