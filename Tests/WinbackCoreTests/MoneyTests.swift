import Testing
import WinbackCore

@Suite("Money")
struct MoneyTests {
    @Test("decimal strings are exact")
    func decimalString() {
        #expect(Money(scaled: 12_345_000).decimalString() == "1234.50")
        #expect(Money(scaled: -5).decimalString() == "-0.0005")
        #expect(Money(scaled: 10_000).decimalString(minimumDecimals: 0) == "1")
        #expect(Money.zero.decimalString() == "0.00")
    }

    @Test("formatting rounds half away from zero and groups thousands")
    func formatted() {
        #expect(Money(scaled: 12_345_675_000).formatted() == "1,234,567.50")
        #expect(Money(scaled: 50).formatted() == "0.01")
        #expect(Money(scaled: -50).formatted() == "-0.01")
        #expect(Money(scaled: 49).formatted() == "0.00")
        #expect(Money(units: 999).formatted(decimals: 0) == "999")
    }

    @Test("sums of many amounts do not drift")
    func exactSums() {
        let tenCents = Money(scaled: 1000)
        var total = Money.zero
        for _ in 0..<1_000_000 { total = total + tenCents }
        #expect(total == Money(units: 100_000))
    }
}

@Suite("Number style")
struct NumberStyleTests {
    @Test("the locale's marks replace the default ones, exactly, and the plain style changes nothing")
    func marks() {
        let french = NumberStyle(decimalMark: ",", groupingMark: "\u{202F}", currencySuffix: "\u{A0}€")
        #expect(french.grouped(Money(scaled: -1_234_567_8900), decimals: 2) == "-1\u{202F}234\u{202F}567,89")
        #expect(french.amount(Money(units: 5)) == "5\u{A0}€")
        #expect(french.decimal("-1234.5") == "-1234,5")
        #expect(french.count(1000) == "1\u{202F}000")
        #expect(NumberStyle.plain.grouped(Money(scaled: 12_345_6000), decimals: 2) == "12,345.60")
        #expect(NumberStyle.plain.amount(Money(units: 346_540)) == Money(units: 346_540).formatted(decimals: 0))
        #expect(NumberStyle.plain.decimal("1.5") == "1.5")
    }
}
