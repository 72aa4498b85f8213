import WinbackCore

/// How a generated export is written: the two families of ERP export winback meets most.
public enum SalesCSVFormat: String, Sendable, CaseIterable {
    /// `,` delimiter, ISO dates, `.` decimals, LF line ends.
    case comma
    /// What a German or Russian ERP writes: UTF-8 BOM, `;` delimiter, `DD.MM.YYYY` dates, decimal comma,
    /// thousands grouped by a no-break space, CRLF line ends.
    case semicolon

    public var byteOrderMark: String { self == .semicolon ? "\u{FEFF}" : "" }
    public var delimiter: String { self == .semicolon ? ";" : "," }
    public var lineEnd: String { self == .semicolon ? "\r\n" : "\n" }

    public static let columns = [
        "date", "client_id", "client_name", "document", "line", "sku", "category", "quantity", "amount", "margin",
        "manager", "region",
    ]

    public var header: String {
        byteOrderMark + SalesCSVFormat.columns.joined(separator: delimiter) + lineEnd
    }

    /// One CSV line for `sale`, quoted where RFC 4180 requires it.
    public func line(_ sale: SaleLine) -> String {
        let fields = [
            date(sale.day), sale.clientID, sale.clientName ?? "", sale.document, String(sale.line), sale.sku ?? "",
            sale.category ?? "", number(Money(approximately: sale.quantity), grouped: false),
            number(sale.amount, grouped: true), sale.margin.map { number($0, grouped: true) } ?? "",
            sale.manager ?? "", sale.region ?? "",
        ]
        return fields.map(quote).joined(separator: delimiter) + lineEnd
    }

    private func date(_ day: Day) -> String {
        guard self == .semicolon else { return day.iso }
        let (y, m, d) = day.components
        return String(d).leftPadded(to: 2) + "." + String(m).leftPadded(to: 2) + "." + String(y)
    }

    private func number(_ value: Money, grouped: Bool) -> String {
        let plain = value.decimalString(minimumDecimals: 0)
        guard self == .semicolon else { return plain }
        var parts = plain.split(separator: ".", maxSplits: 1).map(String.init)
        if grouped {
            let negative = parts[0].hasPrefix("-")
            let digits = negative ? String(parts[0].dropFirst()) : parts[0]
            var groupedDigits = ""
            for (index, character) in digits.enumerated() {
                if index > 0, (digits.count - index) % 3 == 0 { groupedDigits.append("\u{00A0}") }
                groupedDigits.append(character)
            }
            parts[0] = (negative ? "-" : "") + groupedDigits
        }
        return parts.joined(separator: ",")
    }

    private func quote(_ field: String) -> String {
        guard field.contains(where: { $0 == "\"" || $0 == "\n" || $0 == "\r" || String($0) == delimiter }) else {
            return field
        }
        return "\"" + field.replacingOccurrences(of: "\"", with: "\"\"") + "\""
    }
}

extension String {
    fileprivate func replacingOccurrences(of target: String, with replacement: String) -> String {
        split(separator: target, omittingEmptySubsequences: false).joined(separator: replacement)
    }
}
