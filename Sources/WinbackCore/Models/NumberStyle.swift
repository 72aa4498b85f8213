/// How numbers are written for people to read: the decimal and grouping marks of their locale, and the currency
/// around an amount.
///
/// The config's `[locale]` resolves to one of these once (`WinbackConfig`); everything that writes a number for a
/// person (explanations, the digest, tables, the outbox's CSVs) writes it through the style, so that a German reader
/// sees `346.540 €` where the default shows `346,540`. Machine formats (JSON) never use it.
public struct NumberStyle: Sendable, Equatable {
    /// Between the whole part and the fraction: `.` or `,`.
    public var decimalMark: String
    /// Between groups of three digits: `,`, `.`, a no-break space, `’`.
    public var groupingMark: String
    /// Written before and after an amount of the company currency ("€ ", " €"); empty without a currency.
    public var currencyPrefix: String
    public var currencySuffix: String

    /// Today's output, and the default: `12,345.60`, no currency.
    public static let plain = NumberStyle(decimalMark: ".", groupingMark: ",", currencyPrefix: "", currencySuffix: "")

    public init(decimalMark: String, groupingMark: String, currencyPrefix: String = "", currencySuffix: String = "") {
        self.decimalMark = decimalMark
        self.groupingMark = groupingMark
        self.currencyPrefix = currencyPrefix
        self.currencySuffix = currencySuffix
    }

    /// True for the default style, whose numbers need no rewriting.
    public var isPlain: Bool { decimalMark == "." && groupingMark == "," }

    /// An amount rounded to `decimals` places and grouped, with the currency: `346.540 €`.
    public func amount(_ money: Money, decimals: Int = 0) -> String {
        currencyPrefix + grouped(money, decimals: decimals) + currencySuffix
    }

    /// An amount rounded to `decimals` places and grouped, without the currency: `346.540` (for a column whose
    /// header names the currency).
    public func grouped(_ money: Money, decimals: Int = 0) -> String {
        localize(money.formatted(decimals: decimals))
    }

    /// A count, grouped: `12.345`.
    public func count(_ value: Int) -> String {
        localize(Money(units: Int64(value)).formatted(decimals: 0))
    }

    /// A number written the default way (`,` grouping, `.` decimals: what ``Money/formatted(decimals:)``,
    /// `fixed` and `rarity` write) in this style's marks.
    public func localize(_ plainNumber: String) -> String {
        guard !isPlain else { return plainNumber }
        var out = ""
        out.reserveCapacity(plainNumber.utf8.count + 4)
        for character in plainNumber {
            switch character {
            case ",": out += groupingMark
            case ".": out += decimalMark
            default: out.append(character)
            }
        }
        return out
    }

    /// An exact decimal (`1234.5`, `-0.25`: no grouping) with this style's decimal mark, for spreadsheet cells.
    public func decimal(_ plainDecimal: String) -> String {
        guard decimalMark != "." else { return plainDecimal }
        var out = ""
        for character in plainDecimal {
            if character == "." { out += decimalMark } else { out.append(character) }
        }
        return out
    }
}

/// What `[locale]` says about output: the style of numbers, and the dialect of the CSVs people open in a
/// spreadsheet.
public struct OutputLocale: Sendable, Equatable {
    /// The locale's name as configured (`de_DE`); nil for the default output.
    public var identifier: String?
    /// The company currency's ISO code (`EUR`); nil when none is configured.
    public var currency: String?
    public var numbers: NumberStyle
    /// The field delimiter a spreadsheet in this locale expects: `;` where the decimal mark is a comma.
    public var csvDelimiter: Character
    /// Whether CSVs start with a UTF-8 byte order mark: Excel reads UTF-8 only with one.
    public var byteOrderMark: Bool

    /// Today's output: `,`-delimited UTF-8 without a byte order mark, `12,345.60`, no currency.
    public static let plain = OutputLocale(
        identifier: nil, currency: nil, numbers: .plain, csvDelimiter: ",", byteOrderMark: false)

    public init(
        identifier: String?, currency: String?, numbers: NumberStyle, csvDelimiter: Character, byteOrderMark: Bool
    ) {
        self.identifier = identifier
        self.currency = currency
        self.numbers = numbers
        self.csvDelimiter = csvDelimiter
        self.byteOrderMark = byteOrderMark
    }
}
