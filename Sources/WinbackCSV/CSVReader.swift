/// A streaming RFC 4180 reader over bytes: one record at a time, in constant memory.
///
/// It accepts what real exports look like: an optional UTF-8 byte order mark, `,` `;` or tab as the
/// delimiter (detected from the header line when not given), CRLF, LF or lone CR line ends, and quoted
/// fields holding delimiters, doubled quotes and line breaks. It refuses UTF-16 and UTF-32 files up front.
///
/// Fields are handed out as byte buffers that stay valid until the next call to ``next()``; nothing is
/// decoded or copied unless the caller asks. Line numbers are physical lines, the header being line 1.
public final class CSVReader {
    private var source: any ByteSource
    private var buffer: UnsafeMutablePointer<UInt8>
    private var capacity: Int
    private let maxRecordBytes: Int
    /// Valid bytes are `buffer[0..<end]`; the current record starts at `recordStart`.
    private var end = 0
    private var recordStart = 0
    private var atEOF = false
    private var started = false
    private var linesBefore = 1

    /// The current record's fields, in raw memory: appending one costs no exclusivity check or copy-on-write test.
    private var fields: UnsafeMutablePointer<Field>
    private var fieldCapacity = 64
    public private(set) var fieldCount = 0
    private var anyEscaped = false
    /// Unescaped copies of fields with doubled quotes.
    private var scratch: UnsafeMutablePointer<UInt8>
    private var scratchCapacity = 256

    private struct Field {
        var start: Int
        var end: Int
        /// Holds doubled quotes until unescaped; then `inScratch` says where its bytes are.
        var escaped: Bool
        var inScratch: Bool
    }

    /// The field delimiter: given, or detected from the header line on the first call to ``next()``.
    public private(set) var delimiter: UInt8?
    /// Whether the input began with a UTF-8 byte order mark.
    public private(set) var hadByteOrderMark = false
    /// The physical line on which the current record starts (1 for the header).
    public private(set) var line = 0
    /// The physical line on which the current record ends (later than ``line`` when a quoted field spans lines).
    public private(set) var lastLine = 0
    /// What is wrong with the current record's quoting, if anything; its fields are still handed out.
    public private(set) var problem: String?
    /// Bytes consumed so far, for progress reports.
    public private(set) var bytesConsumed = 0

    public init(source: any ByteSource, delimiter: UInt8? = nil, bufferSize: Int = 1 << 20, maxRecordBytes: Int = 16 << 20) {
        self.source = source
        self.delimiter = delimiter
        self.capacity = max(bufferSize, 64)
        self.maxRecordBytes = max(maxRecordBytes, capacity)
        self.buffer = .allocate(capacity: capacity)
        self.fields = .allocate(capacity: fieldCapacity)
        self.scratch = .allocate(capacity: scratchCapacity)
    }

    deinit {
        buffer.deallocate()
        fields.deallocate()
        scratch.deallocate()
    }

    /// The bytes of field `index` of the current record, unquoted and unescaped; valid until ``next()``.
    public func field(_ index: Int) -> UnsafeBufferPointer<UInt8> {
        precondition(index >= 0 && index < fieldCount, "field index out of range")
        let field = fields[index]
        return UnsafeBufferPointer(start: (field.inScratch ? scratch : buffer) + field.start, count: field.end - field.start)
    }

    /// Field `index` decoded as UTF-8, or `nil` when its bytes are not valid UTF-8.
    public func string(_ index: Int) -> String? {
        String(validating: field(index), as: UTF8.self)
    }

    /// All fields of the current record as strings, invalid UTF-8 repaired with U+FFFD (for headers and messages).
    public func strings() -> [String] {
        (0..<fieldCount).map { String(decoding: field($0), as: UTF8.self) }
    }

    /// Moves to the next record that has at least one non-empty field; `false` at the end of the input.
    public func next() throws -> Bool {
        if !started {
            try start()
        }
        while true {
            guard try scanRecord() else { return false }
            if !isBlank { return true }
        }
    }

    private var isBlank: Bool {
        for index in 0..<fieldCount where fields[index].end > fields[index].start {
            return false
        }
        return true
    }

    // MARK: - Start: encoding and delimiter

    private func start() throws {
        started = true
        while end < 4, !atEOF {
            try fill()
        }
        if end >= 3, buffer[0] == 0xEF, buffer[1] == 0xBB, buffer[2] == 0xBF {
            hadByteOrderMark = true
            recordStart = 3
        }
        if let encoding = unsupportedEncoding() {
            throw CSVReadError(line: 1, reason: "the file is \(encoding); export it as UTF-8")
        }
        if delimiter == nil {
            delimiter = try detectDelimiter()
        }
    }

    private func unsupportedEncoding() -> String? {
        if end >= 4, buffer[0] == 0xFF, buffer[1] == 0xFE, buffer[2] == 0, buffer[3] == 0 { return "UTF-32" }
        if end >= 4, buffer[0] == 0, buffer[1] == 0, buffer[2] == 0xFE, buffer[3] == 0xFF { return "UTF-32" }
        if end >= 2, (buffer[0] == 0xFF && buffer[1] == 0xFE) || (buffer[0] == 0xFE && buffer[1] == 0xFF) {
            return "UTF-16"
        }
        // UTF-16 without a byte order mark: every other byte of ASCII text is zero.
        let sample = min(end, 64)
        var zeros = 0
        for index in 0..<sample where buffer[index] == 0 { zeros += 1 }
        if sample >= 4, zeros * 3 >= sample { return "UTF-16 (no byte order mark)" }
        return nil
    }

    /// Counts `,` `;` and tab outside quotes on the header line and picks the most frequent.
    private func detectDelimiter() throws -> UInt8 {
        let candidates: [UInt8] = [UInt8(ascii: ","), UInt8(ascii: ";"), UInt8(ascii: "\t")]
        var counts = [0, 0, 0]
        var inQuotes = false
        var index = recordStart
        while true {
            if index == end {
                if atEOF || end - recordStart >= maxRecordBytes { break }
                let offset = index - recordStart
                try fill()
                index = recordStart + offset
                continue
            }
            let byte = buffer[index]
            if byte == UInt8(ascii: "\"") {
                inQuotes.toggle()
            } else if !inQuotes, byte == UInt8(ascii: "\n") || byte == UInt8(ascii: "\r") {
                break
            } else if !inQuotes, let slot = candidates.firstIndex(of: byte) {
                counts[slot] += 1
            }
            index += 1
        }
        let best = counts.indices.max { counts[$0] < counts[$1] }!
        return counts[best] == 0 ? candidates[0] : candidates[best]
    }

    // MARK: - Buffer

    /// Moves the current record to the front of the buffer (growing it when the record fills it) and reads more.
    private func fill() throws {
        if recordStart > 0 {
            let keep = end - recordStart
            if keep > 0 { buffer.update(from: buffer + recordStart, count: keep) }
            end = keep
            recordStart = 0
        }
        if end == capacity {
            guard capacity < maxRecordBytes else {
                throw CSVReadError(line: linesBefore, reason: "a record longer than \(maxRecordBytes) bytes")
            }
            let grown = min(capacity * 2, maxRecordBytes)
            let bigger = UnsafeMutablePointer<UInt8>.allocate(capacity: grown)
            bigger.update(from: buffer, count: end)
            buffer.deallocate()
            buffer = bigger
            capacity = grown
        }
        let count = try source.read(into: UnsafeMutableRawBufferPointer(start: buffer + end, count: capacity - end))
        if count == 0 { atEOF = true }
        end += count
    }

    // MARK: - Records

    private enum Outcome { case record, needMore, endOfInput }

    private func scanRecord() throws -> Bool {
        while true {
            switch try scanOnce() {
            case .record: return true
            case .endOfInput: return false
            case .needMore: try fill()
            }
        }
    }

    /// Scans one record from `recordStart`; restarts from scratch after a refill, so it keeps no partial state.
    private func scanOnce() throws -> Outcome {
        let quote = UInt8(ascii: "\"")
        let lf = UInt8(ascii: "\n")
        let cr = UInt8(ascii: "\r")
        let delimiter = self.delimiter!
        // Locals, not properties, in the loop: no exclusivity checks per byte.
        let buffer = self.buffer
        let end = self.end
        let atEOF = self.atEOF
        fieldCount = 0
        anyEscaped = false
        problem = nil
        if recordStart == end {
            return atEOF ? .endOfInput : .needMore
        }
        var lines = 0
        var pos = recordStart
        while true {
            // One field.
            var fieldStart = pos
            var fieldEnd: Int
            var hasEscape = false
            if pos < end, buffer[pos] == quote {
                pos += 1
                fieldStart = pos
                while true {
                    guard pos < end else {
                        if atEOF {
                            throw CSVReadError(line: linesBefore, reason: "a quoted field is never closed")
                        }
                        return .needMore
                    }
                    let byte = buffer[pos]
                    if byte == quote {
                        if pos + 1 == end, !atEOF { return .needMore }
                        if pos + 1 < end, buffer[pos + 1] == quote {
                            hasEscape = true
                            pos += 2
                            continue
                        }
                        break
                    }
                    if byte == lf || (byte == cr && !(pos + 1 < end && buffer[pos + 1] == lf)) {
                        if byte == cr, pos + 1 == end, !atEOF { return .needMore }
                        lines += 1
                    }
                    pos += 1
                }
                fieldEnd = pos
                pos += 1
                if pos < end, buffer[pos] != delimiter, buffer[pos] != lf, buffer[pos] != cr {
                    if problem == nil {
                        problem = "text after the closing quote of field \(fieldCount + 1)"
                    }
                    while pos < end, buffer[pos] != delimiter, buffer[pos] != lf, buffer[pos] != cr { pos += 1 }
                    fieldEnd = pos
                }
            } else {
                while pos < end {
                    let byte = buffer[pos]
                    if byte == delimiter || byte == lf || byte == cr { break }
                    pos += 1
                }
                fieldEnd = pos
            }
            if pos == end, !atEOF { return .needMore }
            appendField(Field(start: fieldStart, end: fieldEnd, escaped: hasEscape, inScratch: false))
            // What ends the field.
            if pos == end {
                break
            }
            let byte = buffer[pos]
            if byte == delimiter {
                pos += 1
                if pos == end {
                    if !atEOF { return .needMore }
                    appendField(Field(start: pos, end: pos, escaped: false, inScratch: false))
                    break
                }
                continue
            }
            if byte == cr {
                if pos + 1 == end, !atEOF { return .needMore }
                pos += (pos + 1 < end && buffer[pos + 1] == lf) ? 2 : 1
            } else {
                pos += 1
            }
            lines += 1
            break
        }
        line = linesBefore
        lastLine = linesBefore + max(lines - 1, 0)
        linesBefore += lines
        bytesConsumed += pos - recordStart
        recordStart = pos
        unescapeQuotedFields()
        return .record
    }

    private func appendField(_ field: Field) {
        if fieldCount == fieldCapacity {
            let bigger = UnsafeMutablePointer<Field>.allocate(capacity: fieldCapacity * 2)
            bigger.moveInitialize(from: fields, count: fieldCount)
            fields.deallocate()
            fields = bigger
            fieldCapacity *= 2
        }
        (fields + fieldCount).initialize(to: field)
        fieldCount += 1
        anyEscaped = anyEscaped || field.escaped
    }

    /// Copies fields holding doubled quotes into the scratch buffer with each pair made one quote.
    private func unescapeQuotedFields() {
        guard anyEscaped else { return }
        var needed = 0
        for index in 0..<fieldCount where fields[index].escaped {
            needed += fields[index].end - fields[index].start
        }
        if needed > scratchCapacity {
            scratch.deallocate()
            scratchCapacity = max(needed, scratchCapacity * 2)
            scratch = .allocate(capacity: scratchCapacity)
        }
        var out = 0
        for index in 0..<fieldCount where fields[index].escaped {
            let from = out
            var pos = fields[index].start
            while pos < fields[index].end {
                let byte = buffer[pos]
                scratch[out] = byte
                out += 1
                pos += byte == UInt8(ascii: "\"") ? 2 : 1
            }
            fields[index] = Field(start: from, end: out, escaped: false, inScratch: true)
        }
    }
}

/// A problem that stops the reading of a file: the file cannot be read further from this line on.
public struct CSVReadError: Error, Equatable, Sendable, CustomStringConvertible {
    public var line: Int
    public var reason: String

    public init(line: Int, reason: String) {
        self.line = line
        self.reason = reason
    }

    public var description: String { "line \(line): \(reason)" }
}
