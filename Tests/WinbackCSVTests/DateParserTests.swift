import Testing
import WinbackCSV
import WinbackCore

@Suite("Date parser")
struct DateParserTests {
    let parser = try! DateParser()

    @Test(
        "the built-in forms",
        arguments: [
            ("2024-03-05", "2024-03-05"), ("05.03.2024", "2024-03-05"), ("5.3.2024", "2024-03-05"),
            ("20240305", "2024-03-05"), ("2024-03-05 14:30:00", "2024-03-05"), ("2024-03-05T14:30:00Z", "2024-03-05"),
            (" 2024-03-05 ", "2024-03-05"), ("29.02.2024", "2024-02-29"),
        ])
    func builtIn(_ text: String, _ iso: String) {
        #expect(parser.parse(text) == Day(iso: iso))
    }

    @Test(
        "dates that do not exist or are not dates",
        arguments: ["2024-02-30", "31.04.2024", "29.02.2023", "2024/03/05", "03/05/2024", "2024-3-5x", "", "yesterday", "202403051", "2024-03-05x"])
    func refused(_ text: String) {
        #expect(parser.parse(text) == nil)
    }

    @Test("other forms by config, tried after the built-in ones")
    func configured() throws {
        let us = try DateParser(extraPatterns: ["MM/DD/YYYY"])
        #expect(us.parse("03/05/2024") == Day(iso: "2024-03-05"))
        let short = try DateParser(extraPatterns: ["DD/MM/YY"])
        #expect(short.parse("05/03/24") == Day(iso: "2024-03-05"))
    }

    @Test("a pattern without a year, a month and a day is refused")
    func badPattern() {
        #expect(throws: DateParser.PatternError.self) { try DateParser(extraPatterns: ["DD/MM"]) }
        #expect(throws: DateParser.PatternError.self) { try DateParser(extraPatterns: ["YYY-MM-DD"]) }
    }
}
