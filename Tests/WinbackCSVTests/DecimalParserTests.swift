import Testing
import WinbackCSV

@Suite("Decimal parser")
struct DecimalParserTests {
    let semicolon = DecimalParser(decimalComma: true)
    let comma = DecimalParser(decimalComma: false)

    @Test(
        "what semicolon-delimited exports print",
        arguments: [
            ("1234,56", 12_345_600), ("1 234,56", 12_345_600), ("1\u{00A0}234,56", 12_345_600),
            ("1\u{202F}234,56", 12_345_600), ("1.234,56", 12_345_600), ("-1.234,56", -12_345_600),
            ("12,50-", -125_000), ("0,5", 5000), (",5", 5000), ("1234.56", 12_345_600), ("1.234.567", 12_345_670_000),
            ("  42  ", 420_000), ("+3", 30_000), ("\u{2212}7,25", -72_500), ("1'234,50", 12_345_000),
        ] as [(String, Int64)])
    func semicolonFiles(_ text: String, _ expected: Int64) {
        #expect(semicolon.parseScaled(text) == .success(expected))
    }

    @Test(
        "what comma-delimited exports print",
        arguments: [
            ("1234.56", 12_345_600), ("1,234.56", 12_345_600), ("1,234", 12_340_000), ("-0.01", -100),
            ("1 000 000", 10_000_000_000), ("7", 70_000),
        ] as [(String, Int64)])
    func commaFiles(_ text: String, _ expected: Int64) {
        #expect(comma.parseScaled(text) == .success(expected))
    }

    @Test("past four decimals the value is rounded half away from zero")
    func rounding() {
        #expect(comma.parseScaled("0.00005") == .success(1))
        #expect(comma.parseScaled("0.00004") == .success(0))
        #expect(comma.parseScaled("-0.00005") == .success(-1))
        #expect(comma.parseScaled("1.99999") == .success(20_000))
    }

    @Test(
        "what is not a number is refused with the text",
        arguments: ["abc", "12,3,4", "1 23", "12.34.5,6,7", "1,2345,6", "--5", "5 EUR", "€5", "1e5", ".", "-", "12..5", "1.2.3"])
    func notANumber(_ text: String) {
        guard case .failure(let failure) = semicolon.parseScaled(text) else {
            Issue.record("\(text) parsed as a number")
            return
        }
        #expect(failure != .empty)
    }

    @Test("empty and blank are empty, not zero")
    func empty() {
        #expect(comma.parseScaled("") == .failure(.empty))
        #expect(comma.parseScaled("   ") == .failure(.empty))
    }

    @Test("overflow is refused, not wrapped")
    func overflow() {
        #expect(comma.parseScaled("99999999999999999999") == .failure(.tooLarge("99999999999999999999")))
        #expect(comma.parseScaled("922337203685478") == .failure(.tooLarge("922337203685478")))
    }
}
