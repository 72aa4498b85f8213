import WinbackCSV
import WinbackCore

/// Turns the current record of a CSV reader into a domain value, or into the list of what is wrong with it.
///
/// Every problem of a row is reported, not only the first, so that one refusal tells the user
/// everything to fix in their export.
struct RowDecoder<Source: ByteSource> {
    let reader: CSVReader<Source>
    let header: HeaderMap
    let dates: DateParser
    let numbers: DecimalParser
    /// Lines of each document seen so far, for files without a `line` column.
    private var positions: [String: Int] = [:]
    private(set) var problems: [BadLine] = []

    init(reader: CSVReader<Source>, header: HeaderMap, dates: DateParser, numbers: DecimalParser) {
        self.reader = reader
        self.header = header
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
        let day = date("date", required: true)
        let clientID = text("client_id", required: true)
        let document = text("document", required: true)
        let amount = money("amount", required: true)
        let margin = money("margin", required: false)
        let quantity = money("quantity", required: false)
        var lineNumber = integer("line")
        let clientName = text("client_name")
        let sku = text("sku")
        let category = text("category")
        let manager = text("manager")
        let region = text("region")
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
        let day = date("date", required: true)
        let clientID = text("client_id", required: true)
        let manager = text("manager")
        let outcomeText = text("outcome", required: true)
        let note = text("note")
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
        let clientID = text("client_id", required: true)
        let profile = ClientProfile(
            clientID: clientID ?? "", name: text("client_name"), manager: text("manager"), region: text("region"),
            segment: text("segment"), dossierReviewed: date("dossier_reviewed", required: false))
        guard problems.isEmpty, clientID != nil else { return nil }
        return profile
    }

    // MARK: - Fields

    private mutating func fail(_ column: String, _ reason: String) {
        problems.append(BadLine(line: reader.line, column: column, reason: reason))
    }

    /// Trimmed UTF-8 text without NUL bytes; nil when the column is absent or the cell empty.
    private mutating func text(_ column: String, required: Bool = false) -> String? {
        guard let index = header[column] else { return nil }
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
        if slice.contains(0) {
            fail(column, "contains a NUL byte")
            return nil
        }
        guard let string = String(validating: slice, as: UTF8.self) else {
            fail(column, "not valid UTF-8 text")
            return nil
        }
        return string
    }

    private mutating func date(_ column: String, required: Bool) -> Day? {
        guard let index = header[column] else { return nil }
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

    private mutating func money(_ column: String, required: Bool) -> Money? {
        guard let index = header[column] else { return nil }
        switch numbers.parseScaled(reader.field(index)) {
        case .success(let scaled):
            return Money(scaled: scaled)
        case .failure(.empty):
            if required { fail(column, "empty") }
            return nil
        case .failure(let failure):
            fail(column, failure.description)
            return nil
        }
    }

    private mutating func integer(_ column: String) -> Int? {
        guard let index = header[column] else { return nil }
        let bytes = reader.field(index)
        var value = 0
        var digits = 0
        for byte in bytes where byte != UInt8(ascii: " ") {
            guard byte >= UInt8(ascii: "0"), byte <= UInt8(ascii: "9"), digits < 18 else {
                fail(column, "not a whole number: \(quoted(String(decoding: bytes, as: UTF8.self)))")
                return nil
            }
            value = value * 10 + Int(byte - UInt8(ascii: "0"))
            digits += 1
        }
        return digits == 0 ? nil : value
    }
}
