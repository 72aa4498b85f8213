import WinbackCore

/// Reads the numbers real exports print: `1234.56`, `1234,56` where the delimiter is `;` or tab,
/// `1 234,56` and `1.234,56` with grouped thousands (space, no-break space, apostrophe, or the other
/// mark), `-12.50` and SAP's trailing minus `12.50-`.
///
/// The result is exact: a whole number of ten-thousandths (``Money/scale``), rounded half away
/// from zero past the fourth decimal place.
public struct DecimalParser: Sendable {
    /// Whether a lone comma is the decimal mark: true for `;`- and tab-delimited files.
    public var decimalComma: Bool

    public init(decimalComma: Bool) {
        self.decimalComma = decimalComma
    }

    /// The decimal parser that fits a file with this delimiter.
    public init(delimiter: UInt8) {
        self.decimalComma = delimiter != UInt8(ascii: ",")
    }

    public enum Failure: Error, Equatable, Sendable, CustomStringConvertible {
        case empty
        case notANumber(String)
        case tooLarge(String)

        public var description: String {
            switch self {
            case .empty: return "empty"
            case .notANumber(let text): return "not a number: \(quoted(text))"
            case .tooLarge(let text): return "number too large: \(quoted(text))"
            }
        }
    }

    /// The value in ten-thousandths, or why it is not a number.
    public func parseScaled(_ bytes: UnsafeBufferPointer<UInt8>) -> Result<Int64, Failure> {
        var lower = 0
        var upper = bytes.count
        while lower < upper, isBlank(bytes, at: lower) { lower += blankWidth(bytes, at: lower) }
        while lower < upper, let width = trailingBlankWidth(bytes, upper: upper) { upper -= width }
        guard lower < upper else { return .failure(.empty) }
        // The field as written, signs included, for messages.
        let (start, end) = (lower, upper)
        let text = { String(decoding: UnsafeBufferPointer(rebasing: bytes[start..<end]), as: UTF8.self) }

        var negative = false
        if bytes[lower] == UInt8(ascii: "-") || bytes[lower] == UInt8(ascii: "+") {
            negative = bytes[lower] == UInt8(ascii: "-")
            lower += 1
        } else if upper - lower >= 3, bytes[lower] == 0xE2, bytes[lower + 1] == 0x88, bytes[lower + 2] == 0x92 {
            negative = true  // U+2212 MINUS SIGN
            lower += 3
        } else if bytes[upper - 1] == UInt8(ascii: "-") {
            negative = true  // SAP prints credits as 12.50-
            upper -= 1
        }
        guard lower < upper else { return .failure(.notANumber(text())) }

        // Where are the marks? Digits, '.', ',' and grouping blanks only.
        var lastDot = -1
        var lastComma = -1
        var dots = 0
        var commas = 0
        var pos = lower
        while pos < upper {
            let byte = bytes[pos]
            if byte >= UInt8(ascii: "0"), byte <= UInt8(ascii: "9") {
                pos += 1
            } else if byte == UInt8(ascii: ".") {
                dots += 1
                lastDot = pos
                pos += 1
            } else if byte == UInt8(ascii: ",") {
                commas += 1
                lastComma = pos
                pos += 1
            } else if byte == UInt8(ascii: "'") {
                pos += 1
            } else if isBlank(bytes, at: pos) {
                pos += blankWidth(bytes, at: pos)
            } else {
                return .failure(.notANumber(text()))
            }
        }
        let decimalMark: Int
        switch (dots, commas) {
        case (0, 0): decimalMark = -1
        case (_, 0): decimalMark = dots == 1 ? lastDot : -1
        case (0, _): decimalMark = (commas == 1 && decimalComma) ? lastComma : -1
        default:
            decimalMark = max(lastDot, lastComma)
            // The decimal mark occurs once; the other mark groups thousands before it.
            if (decimalMark == lastDot && dots != 1) || (decimalMark == lastComma && commas != 1) {
                return .failure(.notANumber(text()))
            }
        }

        // The integer part, with every grouping mark checked: groups of exactly three digits.
        var value: Int64 = 0
        var digitsInGroup = 0
        var sawGroupMark = false
        var integerDigits = 0
        pos = lower
        let integerEnd = decimalMark >= 0 ? decimalMark : upper
        while pos < integerEnd {
            let byte = bytes[pos]
            if byte >= UInt8(ascii: "0"), byte <= UInt8(ascii: "9") {
                let (times, overflow1) = value.multipliedReportingOverflow(by: 10)
                let (plus, overflow2) = times.addingReportingOverflow(Int64(byte - UInt8(ascii: "0")))
                guard !overflow1, !overflow2 else { return .failure(.tooLarge(text())) }
                value = plus
                digitsInGroup += 1
                integerDigits += 1
                pos += 1
            } else {
                // A grouping mark: what came before it is a complete group.
                if integerDigits == 0 || (sawGroupMark ? digitsInGroup != 3 : digitsInGroup > 3) {
                    return .failure(.notANumber(text()))
                }
                sawGroupMark = true
                digitsInGroup = 0
                pos += byte < 0x80 ? 1 : blankWidth(bytes, at: pos)
            }
        }
        if sawGroupMark, digitsInGroup != 3 { return .failure(.notANumber(text())) }

        // The fraction: digits only, rounded half away from zero at the fourth place.
        var fraction: Int64 = 0
        var places = 0
        var roundUp = false
        if decimalMark >= 0 {
            pos = decimalMark + 1
            guard pos < upper || integerDigits > 0 else { return .failure(.notANumber(text())) }
            while pos < upper {
                let byte = bytes[pos]
                guard byte >= UInt8(ascii: "0"), byte <= UInt8(ascii: "9") else { return .failure(.notANumber(text())) }
                if places < Money.decimals {
                    fraction = fraction * 10 + Int64(byte - UInt8(ascii: "0"))
                    places += 1
                } else if places == Money.decimals {
                    roundUp = byte >= UInt8(ascii: "5")
                    places += 1
                }
                pos += 1
            }
            if integerDigits == 0, places == 0 { return .failure(.notANumber(text())) }
        } else if integerDigits == 0 {
            return .failure(.notANumber(text()))
        }
        while places < Money.decimals {
            fraction *= 10
            places += 1
        }
        let (scaledInteger, overflow1) = value.multipliedReportingOverflow(by: Money.scale)
        let (sum, overflow2) = scaledInteger.addingReportingOverflow(fraction + (roundUp ? 1 : 0))
        guard !overflow1, !overflow2 else { return .failure(.tooLarge(text())) }
        return .success(negative ? -sum : sum)
    }

    /// Convenience for tests and config values.
    public func parseScaled(_ text: String) -> Result<Int64, Failure> {
        var text = text
        return text.withUTF8 { parseScaled($0) }
    }

    // MARK: - Blanks: space, tab, no-break space (C2 A0), narrow no-break space (E2 80 AF), thin space (E2 80 89)

    private func isBlank(_ bytes: UnsafeBufferPointer<UInt8>, at pos: Int) -> Bool {
        blankWidth(bytes, at: pos) > 0
    }

    private func blankWidth(_ bytes: UnsafeBufferPointer<UInt8>, at pos: Int) -> Int {
        let byte = bytes[pos]
        if byte == UInt8(ascii: " ") || byte == UInt8(ascii: "\t") { return 1 }
        if byte == 0xC2, pos + 1 < bytes.count, bytes[pos + 1] == 0xA0 { return 2 }
        if byte == 0xE2, pos + 2 < bytes.count, bytes[pos + 1] == 0x80,
            bytes[pos + 2] == 0xAF || bytes[pos + 2] == 0x89
        {
            return 3
        }
        return 0
    }

    private func trailingBlankWidth(_ bytes: UnsafeBufferPointer<UInt8>, upper: Int) -> Int? {
        if upper >= 1, bytes[upper - 1] == UInt8(ascii: " ") || bytes[upper - 1] == UInt8(ascii: "\t") { return 1 }
        if upper >= 2, bytes[upper - 2] == 0xC2, bytes[upper - 1] == 0xA0 { return 2 }
        if upper >= 3, bytes[upper - 3] == 0xE2, bytes[upper - 2] == 0x80,
            bytes[upper - 1] == 0xAF || bytes[upper - 1] == 0x89
        {
            return 3
        }
        return nil
    }
}

/// A value for an error message: in quotes, control characters escaped, cut at 40 characters.
public func quoted(_ text: String) -> String {
    var out = ""
    for (index, scalar) in text.unicodeScalars.enumerated() {
        if index == 40 {
            out += "…"
            break
        }
        if scalar.value < 0x20 || scalar.value == 0x7F {
            out += "\\u{\(String(scalar.value, radix: 16))}"
        } else if scalar == "\"" {
            out += "\\\""
        } else {
            out.unicodeScalars.append(scalar)
        }
    }
    return "\"" + out + "\""
}
