import Testing
import WinbackCSV

/// Reads every record of `text` with the reader, fed in chunks of `chunk` bytes.
func records(_ text: String, chunk: Int = .max, delimiter: UInt8? = nil, buffer: Int = 64) throws -> [(
    line: Int, fields: [String]
)] {
    try records(Array(text.utf8), chunk: chunk, delimiter: delimiter, buffer: buffer)
}

func records(_ bytes: [UInt8], chunk: Int = .max, delimiter: UInt8? = nil, buffer: Int = 64) throws -> [(
    line: Int, fields: [String]
)] {
    let reader = CSVReader(source: MemoryByteSource(bytes, chunkSize: chunk), delimiter: delimiter, bufferSize: buffer)
    var out: [(Int, [String])] = []
    while try reader.next() {
        out.append((reader.line, reader.strings()))
    }
    return out
}

@Suite("CSV reader")
struct CSVReaderTests {
    static let chunkSizes = [1, 2, 3, 7, 64, Int.max]

    @Test("comma, semicolon and tab are detected from the header", arguments: [",", ";", "\t"])
    func delimiters(_ delimiter: String) throws {
        let text =
            ["date", "client_id", "amount"].joined(separator: delimiter) + "\n"
            + ["2024-01-02", "C1", "1,5"].joined(separator: delimiter) + "\n"
        let reader = CSVReader(source: MemoryByteSource(text))
        #expect(try reader.next())
        #expect(reader.fieldCount == 3)
        #expect(reader.delimiter == Array(delimiter.utf8)[0])
    }

    @Test("a byte order mark is skipped and remembered")
    func byteOrderMark() throws {
        let reader = CSVReader(source: MemoryByteSource("\u{FEFF}date;client_id\n2024-01-02;C1\n"))
        #expect(try reader.next())
        #expect(reader.strings() == ["date", "client_id"])
        #expect(reader.hadByteOrderMark)
        #expect(reader.delimiter == UInt8(ascii: ";"))
    }

    @Test("CRLF, LF and lone CR end lines, in any chunking", arguments: chunkSizes)
    func lineEnds(chunk: Int) throws {
        let result = try records("a,b\r\n1,2\n3,4\r5,6\r\n", chunk: chunk)
        #expect(result.map(\.fields) == [["a", "b"], ["1", "2"], ["3", "4"], ["5", "6"]])
        #expect(result.map(\.line) == [1, 2, 3, 4])
    }

    @Test("quoted fields keep delimiters, doubled quotes and line breaks", arguments: chunkSizes)
    func quoting(chunk: Int) throws {
        let text = "name,note,amount\n\"Smith, John\",\"said \"\"hi\"\"\nthen left\",\"1,5\"\nplain,,3\n"
        let result = try records(text, chunk: chunk)
        #expect(result.count == 3)
        #expect(result[1].fields == ["Smith, John", "said \"hi\"\nthen left", "1,5"])
        #expect(result[1].line == 2)
        // The record after a two-line record starts on line 4.
        #expect(result[2].line == 4)
        #expect(result[2].fields == ["plain", "", "3"])
    }

    @Test("blank lines and lines of empty fields are skipped but counted")
    func blankLines() throws {
        let result = try records("a;b\n\n1;2\n;;\n\r\n3;4")
        #expect(result.map(\.fields) == [["a", "b"], ["1", "2"], ["3", "4"]])
        #expect(result.map(\.line) == [1, 3, 6])
    }

    @Test("a trailing delimiter makes an empty last field")
    func trailingDelimiter() throws {
        let result = try records("a,b,\n1,2,\n")
        #expect(result[1].fields == ["1", "2", ""])
    }

    @Test("a last line without a line end is read")
    func noFinalNewline() throws {
        let result = try records("a,b\n1,2", chunk: 1)
        #expect(result.map(\.fields) == [["a", "b"], ["1", "2"]])
    }

    @Test("an unterminated quote is an error at the line where the field starts")
    func unterminatedQuote() throws {
        #expect(throws: CSVReadError(line: 3, reason: "a quoted field is never closed")) {
            try records("a,b\n1,2\n3,\"open\nstill open\n")
        }
    }

    @Test("text after a closing quote is reported for that record, and reading goes on")
    func textAfterQuote() throws {
        let reader = CSVReader(source: MemoryByteSource("a,b\n\"x\"y,2\n3,4\n"))
        #expect(try reader.next())
        #expect(try reader.next())
        #expect(reader.problem == "text after the closing quote of field 1")
        #expect(try reader.next())
        #expect(reader.problem == nil)
        #expect(reader.strings() == ["3", "4"])
    }

    @Test("UTF-16 and UTF-32 files are refused up front")
    func utf16() throws {
        let utf16LE: [UInt8] = [0xFF, 0xFE] + Array("date,client\n".utf8).flatMap { [$0, 0] }
        #expect(throws: CSVReadError(line: 1, reason: "the file is UTF-16; export it as UTF-8")) {
            try records(utf16LE)
        }
        let utf16NoBOM: [UInt8] = Array("date,client\n".utf8).flatMap { [$0, 0] }
        #expect(throws: CSVReadError.self) { try records(utf16NoBOM) }
        let utf32: [UInt8] = [0xFF, 0xFE, 0, 0, 0x61, 0, 0, 0]
        #expect(throws: CSVReadError(line: 1, reason: "the file is UTF-32; export it as UTF-8")) {
            try records(utf32)
        }
    }

    @Test("a record longer than the limit is an error, not unbounded memory")
    func recordLimit() throws {
        let long = "a\n\"" + String(repeating: "x", count: 10_000) + "\"\n"
        let reader = CSVReader(source: MemoryByteSource(long), bufferSize: 64, maxRecordBytes: 4096)
        #expect(try reader.next())
        #expect(throws: CSVReadError(line: 2, reason: "a record longer than 4096 bytes")) { try reader.next() }
    }

    @Test("records larger than the buffer grow it up to the limit")
    func bigRecord() throws {
        let field = String(repeating: "y", count: 5000)
        let result = try records("a,b\n\(field),\"\(field)\"\"\"\n", chunk: 100, buffer: 64)
        #expect(result[1].fields == [field, field + "\""])
    }

    @Test("an empty input has no records")
    func empty() throws {
        #expect(try records("").isEmpty)
    }
}

@Suite("Transcoding")
struct TranscodingTests {
    /// Every byte of `bytes` read through the transcoder in chunks of `chunk`, handed out `out` bytes at a time.
    static func read(_ bytes: [UInt8], _ encoding: SingleByteEncoding, chunk: Int, out: Int) throws -> [UInt8] {
        var source = TranscodingByteSource(
            base: MemoryByteSource(bytes, chunkSize: chunk), encoding: encoding, chunkSize: chunk)
        var result: [UInt8] = []
        var buffer = [UInt8](repeating: 0, count: out)
        while true {
            let count = try buffer.withUnsafeMutableBytes { try source.read(into: $0) }
            if count == 0 { return result }
            result += buffer[0..<count]
        }
    }

    @Test("single-byte encodings become UTF-8, whatever the chunk sizes", arguments: [1, 3, 7, 4096])
    func chunks(size: Int) throws {
        let bytes: [UInt8] = Array("Nov".utf8) + [0xE1] + Array("k;".utf8) + [0x80, 0x8A, 0x9F, 0x81, 0xFF, 0x0A]
        let text = String(decoding: try Self.read(bytes, .windows1252, chunk: size, out: size), as: UTF8.self)
        #expect(text == "Novák;€ŠŸ\u{81}ÿ\n")
        let latin9 = String(
            decoding: try Self.read([0xA4, 0xBD, 0xE9], .iso885915, chunk: size, out: 2), as: UTF8.self)
        #expect(latin9 == "€œé")
        let czech = String(
            decoding: try Self.read([0x8A, 0xE8, 0x9E], .windows1250, chunk: size, out: 5), as: UTF8.self)
        #expect(czech == "Ščž")
    }

    @Test("a file with UTF-8's byte order mark is UTF-8, whatever the setting says")
    func byteOrderMark() throws {
        let bytes: [UInt8] = [0xEF, 0xBB, 0xBF] + Array("Nováček\n".utf8)
        #expect(try Self.read(bytes, .windows1252, chunk: 8, out: 3) == bytes)
    }

    @Test("names and aliases of encodings")
    func names() {
        #expect(SingleByteEncoding(name: "Windows-1252") == .windows1252)
        #expect(SingleByteEncoding(name: "latin1") == .iso88591)
        #expect(SingleByteEncoding(name: "CP1250") == .windows1250)
        #expect(SingleByteEncoding(name: "utf-16") == nil)
    }
}

@Suite("Transcoding, when the file is UTF-8 after all")
struct TranscodingUTF8Tests {
    @Test("a UTF-8 file without a byte order mark passes through; a Windows-1252 one is still converted")
    func sniffed() throws {
        let utf8 = Array("date,name\n2025-01-02,Café Müller\n".utf8)
        #expect(try TranscodingTests.read(utf8, .windows1252, chunk: 4096, out: 4096) == utf8)
        // ASCII first, UTF-8 in a later chunk: the first bytes beyond ASCII decide.
        let late = Array(String(repeating: "a,b\n", count: 40).utf8) + Array("x,Ščř\n".utf8)
        #expect(try TranscodingTests.read(late, .windows1250, chunk: 16, out: 7) == late)
        let cp1252: [UInt8] = Array("2025-01-02,Caf".utf8) + [0xE9, 0x0A]
        #expect(
            String(decoding: try TranscodingTests.read(cp1252, .windows1252, chunk: 4096, out: 4096), as: UTF8.self)
                == "2025-01-02,Café\n")
        // UTF-16's byte order mark reaches the reader, which names it.
        #expect(try TranscodingTests.read([0xFF, 0xFE, 0x41, 0x00], .windows1252, chunk: 64, out: 64) == [0xFF, 0xFE, 0x41, 0x00])
    }
}
