import Foundation
import Testing
@testable import WinbackConfig

/// Broken config files: each must end in one `ConfigError` line naming the line, never in a crash or a silent default.
@Suite("Malformed config")
struct MalformedConfigTests {
    /// The error `parse` throws for `text`, as the commands print it.
    private func failure(_ text: String) -> String? {
        do {
            _ = try ConfigLoader.parse(text, file: "w.toml")
            return nil
        } catch {
            return String(describing: error)
        }
    }

    @Test(
        "typos that abort toml++ (an assertion, exit 134) are errors with their line",
        arguments: [
            // parse_value(): an array element that starts with '}' or a Unicode line break.
            ("[[offers]]\nname = \"a\"\ncriteria = [\"overdue\", }\n", "w.toml:3: expected a value, found '}'"),
            ("x = [}\n", "w.toml:1: expected a value, found '}'"),
            ("x = [ 1, }\n", "w.toml:1: expected a value, found '}'"),
            ("x = [\n  1,\n  }\n", "w.toml:3: expected a value, found '}'"),
            ("x = [\u{2028}]\n", "w.toml:1: \"\\u{2028}\" is not a valid value: text needs quotes, numbers and dates their TOML form"),
            ("x = [\u{85}]\n", "w.toml:1: \"\\u{0085}\" is not a valid value: text needs quotes, numbers and dates their TOML form"),
            // parse_value()'s look-ahead: a date, a space, one digit, the end of the value.
            ("x = 2024-01-01 1\n", "w.toml:1: \"2024-01-01 1\" is not a valid value: text needs quotes, numbers and dates their TOML form"),
            ("x = [2024-01-01 1]\n", "w.toml:1: \"2024-01-01 1\" is not a valid value: text needs quotes, numbers and dates their TOML form"),
            // parse_time(): a date-time whose time does not start with a digit.
            ("x = 2024-01-01T:00\n", "w.toml:1: \"2024-01-01T:00\" is not a valid value: text needs quotes, numbers and dates their TOML form"),
            // parse_key(): a table header whose key starts with something else.
            ("state_dir = \"/x\"\n[\n", "w.toml:2: expected a key, found the end of the line"),
            ("[ ~x]\n", "w.toml:1: \"~x\" is not a valid key: use letters, digits, _ and -, or quotes"),
            ("[a.]\n", "w.toml:1: expected a key, found ']'"),
            ("[=]\n", "w.toml:1: expected a key, found '='"),
        ])
    func assertionTypos(_ text: String, _ message: String) {
        #expect(failure(text) == message)
    }

    @Test("the fuzzer's ASCII finding is refused with its line, with its NUL bytes and without them")
    func fuzzFinding() throws {
        let url = URL(fileURLWithPath: #filePath).deletingLastPathComponent()
            .appendingPathComponent("../../Fuzz/findings/toml-parse-value-assertion-ascii.toml")
        let bytes = try [UInt8](Data(contentsOf: url.standardizedFileURL))
        #expect(throws: ConfigError(file: "f.toml", line: 1, reason: "a NUL byte: a config file is plain UTF-8 text")) {
            try ConfigLoader.parse(contents: bytes, file: "f.toml")
        }
        let spaced = bytes.map { $0 == 0 ? UInt8(ascii: " ") : $0 }
        #expect(throws: ConfigError(file: "f.toml", line: 1, reason: "expected a value, found '}'")) {
            try ConfigLoader.parse(contents: spaced, file: "f.toml")
        }
    }

    @Test("every input in Fuzz/findings is refused with a line, none crashes")
    func findings() throws {
        let folder = URL(fileURLWithPath: #filePath).deletingLastPathComponent()
            .appendingPathComponent("../../Fuzz/findings").standardizedFileURL
        let names = try FileManager.default.contentsOfDirectory(atPath: folder.path).filter { $0.hasSuffix(".toml") }
        #expect(names.count >= 8)
        for name in names {
            let bytes = try [UInt8](Data(contentsOf: folder.appendingPathComponent(name)))
            do {
                _ = try ConfigLoader.parse(contents: bytes, file: name)
                Issue.record("\(name) parsed")
            } catch let error as ConfigError {
                #expect(error.line != nil, "\(error)")
                #expect(!error.description.contains("\n"), "\(error)")
            }
        }
    }

    @Test(
        "other syntax errors name their line in one line of text",
        arguments: [
            ("x = tru\n", 1), ("x = \"open\ny = 1\n", 1), ("x = '''\nnever closed\n", 1), ("x = { a = 1,\n}\n", 1),
            ("x = { a = 1, }\n", 1), ("x = [1 2]\n", 1), ("x = [,]\n", 1), ("[[a] ]\n", 1), ("[ [a]]\n", 1),
            ("x = 1 2\n", 1), ("x =\n", 1), ("\"\"\"k\"\"\" = 1\n", 1), ("x = \"\\e\"\n", 1), ("x = \"\\uD800\"\n", 1),
            ("x = \"\"\"a\\ b\"\"\"\n", 1), ("x = 1\r\ny = 2\rz = 3\n", 2), ("# fine\nx = 0x_1\n", 2),
            ("x = 00\n", 1), ("x = 1__0\n", 1), ("x = .5\n", 1), ("x = 1.\n", 1), ("x = 12:00\n", 1),
            ("x = \"a\tb\u{7}\"\n", 1), ("# bell \u{7}\n", 1), ("a = 1\na = 2\n", 2), ("x = 2024-13-01\n", 1),
            ("x = " + String(repeating: "[", count: 257) + String(repeating: "]", count: 257), 1),
        ])
    func syntaxErrors(_ text: String, _ line: Int) {
        do {
            _ = try ConfigLoader.parse(text, file: "w.toml")
            Issue.record("parsed: \(text.debugDescription)")
        } catch let error as ConfigError {
            #expect(error.line == line, "\(text.debugDescription): \(error)")
            #expect(!error.description.contains("\n") && !error.description.contains("\r"), "\(error)")
        } catch {
            Issue.record("unexpected \(error)")
        }
    }

    @Test("valid TOML passes the syntax check, however it is written")
    func validEdgeCases() throws {
        let text = """
            # a comment, then blank lines and indentation

            \t a.b.c = 1   # dotted
            a . "b.d" . 'e' = 2
            "" = "an empty quoted key"
            'literal key' = true
            nested = [[1, 2], [3, [4, []]], [ ]]
            table = { a = 1, b = { c = "d" }, e = [1, 2], f = {} }
            table2 = { x = [
                1,   # an array inside an inline table may span lines
            ] }
            text = "[}#{\\"]\\t\\u00E9\\U0001F600\\\\"
            literal = '[}#"\\'
            multi = \"""
            a ] } # " "" b \\
                continued ""\"""
            multi_literal = '''it's ''quoted'' '''''
            empty_multi = \"""\"""
            unicode = "überall ✓" # ✓ in a comment
            list = [
              "overdue",  # why
              'silence',
              \"""decline\""",
            ]
            numbers = [1_000, +1, -0, 0xDEAD_beef, 0o755, 0b1010, 3.14, -0.0, 5e+22, 1E6, 6.626e-34, 1e1_0]
            special = [inf, -inf, +nan, nan]
            dates = [1979-05-27T07:32:00Z, 1979-05-27 07:32:00.999999-07:00, 1979-05-27t07:32:00, 1979-05-27]
            times = [07:32:00, 00:32:00.999999, 1979-05-27 00:32:00+01:00]
            date_then_comment = 1979-05-27 # a space, no time
            bools = [true, false]
            x=1#tight

            [[offers]]
            name = "a"
            [ table . "quoted key" ]
            [[ array.of ]]
            [table.'sub']
            """
        #expect(throws: Never.self) { try TOMLSyntaxGuard.check(text) }
        for edge in ["", "\n", "# only a comment", "x = 1", "x = 1\r\ny = [\r\n  2,\r\n]\r\n", "\u{FEFF}x = 1\n"] {
            #expect(throws: Never.self, "\(edge.debugDescription)") { try TOMLSyntaxGuard.check(edge) }
        }
        let deep = "x = " + String(repeating: "[", count: 256) + String(repeating: "]", count: 256)
        #expect(throws: Never.self) { try TOMLSyntaxGuard.check(deep) }
        // What the check passes, toml++ must read too: the config's own keys, in a tricky layout.
        let config = try ConfigLoader.parse(
            """
            state_dir = "/srv/#winback"  # not a comment inside the string
            [import]
            date_formats = [
              "MM/DD/YYYY",  # US exports
              'DD.MM.YY',
            ]
            [[offers]]
            name = "call [them]"
            kind = "visit"
            text = \"""
            Hello {name}, \\
              we miss you.\"""
            criteria = ["overdue", "silence",]
            """, file: "w.toml")
        #expect(config.stateDirectory == "/srv/#winback")
        #expect(config.importing.dateFormats == ["MM/DD/YYYY", "DD.MM.YY"])
        #expect(config.churn.offers.first?.text == "Hello {name}, we miss you.")
    }

    @Test("a NUL byte is an error naming its line, not the end of the config")
    func nulByte() {
        let afterNul = Array("state_dir = \"/x\"\n".utf8) + [0] + Array("state_dri = 1\n".utf8)
        #expect(throws: ConfigError(file: "w.toml", line: 2, reason: "a NUL byte: a config file is plain UTF-8 text")) {
            try ConfigLoader.parse(contents: afterNul, file: "w.toml")
        }
        #expect(throws: ConfigError(file: "w.toml", line: 1, reason: "a NUL byte: a config file is plain UTF-8 text")) {
            try ConfigLoader.parse(contents: [UInt8](repeating: 0, count: 4096), file: "w.toml")
        }
        // Text that already holds a NUL is refused as well.
        #expect(throws: ConfigError(file: "w.toml", line: 1, reason: "a NUL byte: a config file is plain UTF-8 text")) {
            try ConfigLoader.parse("state_dir = \"/x\"\u{0}", file: "w.toml")
        }
    }

    @Test("invalid UTF-8 is an error naming its line")
    func invalidUTF8() {
        let latin1 = Array("state_dir = \"/x\"\n".utf8) + Array("# caf".utf8) + [0xE9] + Array("\n".utf8)
        #expect(throws: ConfigError(file: "w.toml", line: 2, reason: "not UTF-8 text: save the file as UTF-8")) {
            try ConfigLoader.parse(contents: latin1, file: "w.toml")
        }
    }

    @Test("only a regular file of at most 1 MiB is read: not a directory, a FIFO or a huge file")
    func fileKinds() throws {
        let folder = FileManager.default.temporaryDirectory.appendingPathComponent("winback-config-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: folder) }
        #expect(throws: ConfigError(file: folder.path, reason: "is a directory, not a regular file")) {
            try ConfigLoader.load(path: folder.path)
        }
        let fifo = folder.appendingPathComponent("fifo.toml").path
        #expect(mkfifo(fifo, 0o600) == 0)
        // Opened without blocking: refused at once, where reading it would wait for a writer forever.
        #expect(throws: ConfigError(file: fifo, reason: "is a named pipe (FIFO), not a regular file")) {
            try ConfigLoader.load(path: fifo)
        }
        let huge = folder.appendingPathComponent("huge.toml")
        let limit = 1 << 20
        try Data(("state_dir = \"/x\"\n#" + String(repeating: "x", count: limit)).utf8).write(to: huge)
        #expect(throws: ConfigError(file: huge.path, reason: "is \(limit + 18) bytes; a config file may have at most \(limit) (1 MiB)")) {
            try ConfigLoader.load(path: huge.path)
        }
        let largest = folder.appendingPathComponent("largest.toml")
        try Data(("state_dir = \"/x\"\n#" + String(repeating: "x", count: limit - 18)).utf8).write(to: largest)
        #expect(try ConfigLoader.load(path: largest.path).stateDirectory == "/x")
        let missing = folder.appendingPathComponent("missing.toml").path
        #expect(throws: ConfigError(file: missing, reason: "cannot be read: No such file or directory")) {
            try ConfigLoader.load(path: missing)
        }
    }
}
