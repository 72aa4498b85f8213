import Foundation
import WinbackCSV
import WinbackCore

extension ConfigLoader {
    /// `[locale]`: `locale = "de_DE"`, `currency = "EUR"`, `csv_delimiter`. The locale's decimal and grouping marks
    /// and the currency's place come from the system's locale data (CLDR), once, here.
    static func readLocale(_ t: TOMLReader) throws -> OutputLocale {
        var identifier: String?
        var locale = Locale(identifier: "en_US_POSIX")
        if let name = try t.string("locale") {
            let normalized = name.replacingOccurrences(of: "-", with: "_")
            guard !normalized.isEmpty, Locale.availableIdentifiers.contains(normalized) else {
                throw t.error(
                    "locale", "unknown locale \(quoted(name)); use a name such as \"de_DE\", \"fr_FR\" or \"en_GB\"")
            }
            identifier = normalized
            locale = Locale(identifier: normalized)
        }
        // Only the marks a spreadsheet reads with ASCII digits: the Arabic decimal separator (U+066B) after "1234"
        // would make the number text; such locales get the period, and a grouping mark that differs from it.
        var decimal = identifier == nil ? "." : locale.decimalSeparator ?? "."
        if decimal != "." && decimal != "," { decimal = "." }
        var grouping = identifier == nil ? "," : locale.groupingSeparator ?? ","
        let readable: Set<String> = [",", ".", " ", "\u{A0}", "\u{202F}", "’", "'"]
        if !readable.contains(grouping) || grouping == decimal { grouping = decimal == "." ? "," : "." }
        var numbers = NumberStyle(decimalMark: decimal, groupingMark: grouping)
        var currency: String?
        if let code = try t.string("currency") {
            let upper = code.uppercased()
            guard upper.count == 3, Locale.commonISOCurrencyCodes.contains(upper) else {
                throw t.error(
                    "currency", "unknown currency \(quoted(code)); use an ISO 4217 code such as \"EUR\" or \"CHF\"")
            }
            currency = upper
            let formatter = NumberFormatter()
            formatter.locale = identifier == nil ? Locale(identifier: "en_US") : locale
            formatter.numberStyle = .currency
            formatter.currencyCode = upper
            numbers.currencyPrefix = formatter.positivePrefix ?? ""
            numbers.currencySuffix = formatter.positiveSuffix ?? ""
        }
        // Excel takes its list separator from the region: `;` wherever the decimal mark is a comma, and in
        // Switzerland and Liechtenstein, whose decimal mark is a period.
        let region = identifier.flatMap { $0.split(separator: "_").dropFirst().first.map(String.init) }
        var delimiter: Character = numbers.decimalMark == "," || region == "CH" || region == "LI" ? ";" : ","
        if let text = try t.string("csv_delimiter") {
            switch text {
            case ",", ";", "\t": delimiter = Character(text)
            default:
                throw t.error("csv_delimiter", "expected \",\", \";\" or \"\\t\", found \(quoted(text))")
            }
        }
        guard delimiter != Character(numbers.decimalMark) else {
            throw t.error("csv_delimiter", "must differ from the locale's decimal mark \(quoted(numbers.decimalMark))")
        }
        return OutputLocale(
            identifier: identifier, currency: currency, numbers: numbers, csvDelimiter: delimiter,
            byteOrderMark: identifier != nil || currency != nil)
    }
}
