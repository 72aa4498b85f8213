import WinbackCSV
import WinbackCore

/// Turns the current record of a CSV reader into a domain value, or into the list of what is wrong with it.
///
/// Every problem of a row is reported, not only the first, so that one refusal tells the user
/// everything to fix in their export.
struct RowDecoder {
    let reader: CSVReader
    let header: HeaderMap
    let dates: DateParser
    let numbers: DecimalParser
    /// Lines of each document seen so far, for files without a `line` column.
    private var positions: [String: Int] = [:]
    private(set) var problems: [BadLine] = []

    /// Field indices of every column, looked up once rather than per row.
    private let columns: Columns

    init(reader: CSVReader, header: HeaderMap, dates: DateParser, numbers: DecimalParser) {
        self.reader = reader
        self.header = header
        self.columns = Columns(header)
        self.dates = dates
        self.numbers = numbers
    }

    /// Checks the record's shape; false (with the problem noted) when its fields cannot be trusted.
    mutating func checkShape() -> Bool {
        problems.removeAll(keepingCapacity: true)
        if let problem = reader.problem {
            problems.append(BadLine(line: reader.line, column: "row", reason: problem))
            return false
        }
        if reader.fieldCount != header.fieldCount {
            problems.append(
                BadLine(
                    line: reader.line, column: "row",
                    reason: "expected \(header.fieldCount) fields as in the header, found \(reader.fieldCount)"))
            return false
        }
        return true
    }

    // MARK: - Kinds

    mutating func saleLine() -> SaleLine? {
        guard checkShape() else { return nil }
        let day = date(columns.date, "date", required: true)
        let clientID = text(columns.clientID, "client_id", required: true)
        let document = text(columns.document, "document", required: true)
        let amount = money(columns.amount, "amount", required: true)
        let margin = money(columns.margin, "margin", required: false)
        let quantity = money(columns.quantity, "quantity", required: false)
        var lineNumber = integer(columns.line, "line")
        let clientName = text(columns.clientName, "client_name")
        let sku = text(columns.sku, "sku")
        let category = text(columns.category, "category")
        let manager = text(columns.manager, "manager")
        let region = text(columns.region, "region")
        guard problems.isEmpty, let day, let clientID, let document, let amount else { return nil }
        if lineNumber == nil {
            let position = (positions[document] ?? 0) + 1
            positions[document] = position
            lineNumber = position
        }
        return SaleLine(
            day: day, clientID: clientID, clientName: clientName, document: document, line: lineNumber!,
            sku: sku, category: category,
            quantity: quantity.map { Double($0.scaled) / Double(Money.scale) } ?? 1, amount: amount,
            margin: margin, manager: manager, region: region)
    }

    mutating func contact() -> Contact? {
        guard checkShape() else { return nil }
        let day = date(columns.date, "date", required: true)
        let clientID = text(columns.clientID, "client_id", required: true)
        let manager = text(columns.manager, "manager")
        let outcomeText = text(columns.outcome, "outcome", required: true)
        let note = text(columns.note, "note")
        var outcome: ContactOutcome?
        if let outcomeText {
            outcome = ContactOutcome(rawValue: outcomeText.lowercased())
            if outcome == nil {
                problems.append(
                    BadLine(
                        line: reader.line, column: "outcome",
                        reason: "\(quoted(outcomeText)) is not positive, neutral or negative"))
            }
        }
        guard problems.isEmpty, let day, let clientID, let outcome else { return nil }
        return Contact(day: day, clientID: clientID, manager: manager, outcome: outcome, note: note)
    }

    mutating func clientProfile() -> ClientProfile? {
        guard checkShape() else { return nil }
        let clientID = text(columns.clientID, "client_id", required: true)
        let profile = ClientProfile(
            clientID: clientID ?? "", name: text(columns.clientName, "client_name"),
            manager: text(columns.manager, "manager"), region: text(columns.region, "region"),
            segment: text(columns.segment, "segment"),
            dossierReviewed: date(columns.dossierReviewed, "dossier_reviewed", required: false))
        guard problems.isEmpty, clientID != nil else { return nil }
        return profile
    }

    // MARK: - Fields

    private mutating func fail(_ column: String, _ reason: String) {
        problems.append(BadLine(line: reader.line, column: column, reason: reason))
    }

    /// Trimmed UTF-8 text without NUL bytes; nil when the column is absent or the cell empty.
    private mutating func text(_ index: Int?, _ column: String, required: Bool = false) -> String? {
        guard let index else { return nil }
        let bytes = reader.field(index)
        var lower = 0
        var upper = bytes.count
        while lower < upper, bytes[lower] == UInt8(ascii: " ") || bytes[lower] == UInt8(ascii: "\t") { lower += 1 }
        while upper > lower, bytes[upper - 1] == UInt8(ascii: " ") || bytes[upper - 1] == UInt8(ascii: "\t") {
            upper -= 1
        }
        if lower == upper {
            if required { fail(column, "empty") }
            return nil
        }
        let slice = UnsafeBufferPointer(rebasing: bytes[lower..<upper])
        // One pass finds NUL bytes and tells whether the text is plain ASCII, which needs no validation.
        var high: UInt8 = 0
        for byte in slice {
            if byte == 0 {
                fail(column, "contains a NUL byte")
                return nil
            }
            high |= byte
        }
        if high < 0x80 { return String(decoding: slice, as: UTF8.self) }
        guard let string = String(validating: slice, as: UTF8.self) else {
            problems.append(.notUTF8(line: reader.line, column: column, bytes: slice))
            return nil
        }
        return string
    }

    private mutating func date(_ index: Int?, _ column: String, required: Bool) -> Day? {
        guard let index else { return nil }
        let bytes = reader.field(index)
        if bytes.allSatisfy({ $0 == UInt8(ascii: " ") }) {
            if required { fail(column, "empty") }
            return nil
        }
        if let day = dates.parse(bytes) { return day }
        let shown = quoted(String(decoding: bytes, as: UTF8.self))
        fail(column, "not a date: \(shown) (expected \(dates.patternTexts.joined(separator: ", ")))")
        return nil
    }

    private mutating func money(_ index: Int?, _ column: String, required: Bool) -> Money? {
        guard let index else { return nil }
        switch numbers.parseScaled(reader.field(index)) {
        case .success(let scaled):
            // Amounts and margins beyond a hundred billion are no real line (a product code in the amount
            // column, a misplaced column); refused here, no sum downstream can come near overflowing.
            if column != "quantity", scaled.magnitude > Money.lineLimit.scaled.magnitude {
                let text = String(decoding: reader.field(index), as: UTF8.self)
                fail(column, "\(quoted(text)) is beyond the largest amount a line may carry (±100,000,000,000)")
                return nil
            }
            return Money(scaled: scaled)
        case .failure(.empty):
            if required { fail(column, "empty") }
            return nil
        case .failure(let failure):
            fail(column, failure.description)
            return nil
        }
    }

    private mutating func integer(_ index: Int?, _ column: String) -> Int? {
        guard let index else { return nil }
        let bytes = reader.field(index)
        var value = 0
        var digits = 0
        for byte in bytes where byte != UInt8(ascii: " ") {
            guard byte >= UInt8(ascii: "0"), byte <= UInt8(ascii: "9") else {
                fail(column, "not a whole number: \(quoted(String(decoding: bytes, as: UTF8.self)))")
                return nil
            }
            guard digits < 18 else {
                fail(column, "too large: \(quoted(String(decoding: bytes, as: UTF8.self))) (at most 18 digits)")
                return nil
            }
            value = value * 10 + Int(byte - UInt8(ascii: "0"))
            digits += 1
        }
        return digits == 0 ? nil : value
    }
}

/// Where each canonical column is in the file; nil when the file has no such column.
private struct Columns {
    let date: Int?
    let clientID: Int?
    let document: Int?
    let amount: Int?
    let margin: Int?
    let quantity: Int?
    let line: Int?
    let clientName: Int?
    let sku: Int?
    let category: Int?
    let manager: Int?
    let region: Int?
    let outcome: Int?
    let note: Int?
    let segment: Int?
    let dossierReviewed: Int?

    init(_ header: HeaderMap) {
        date = header["date"]
        clientID = header["client_id"]
        document = header["document"]
        amount = header["amount"]
        margin = header["margin"]
        quantity = header["quantity"]
        line = header["line"]
        clientName = header["client_name"]
        sku = header["sku"]
        category = header["category"]
        manager = header["manager"]
        region = header["region"]
        outcome = header["outcome"]
        note = header["note"]
        segment = header["segment"]
        dossierReviewed = header["dossier_reviewed"]
    }
}
