import WinbackCore

/// One client's whole history as one compact record: what a scan reads for a client whose sales did not change
/// since the record was made, instead of its rows in `client_days` and `client_day_categories` (at 100,000 clients,
/// 2.9 million and 6.2 million rows, most of a scan's reading).
///
/// The record is derived data: `client_histories` keeps it with the client's `client_versions.version` at the time
/// it was read, and a record whose version is not the client's current one is ignored (the import bumps the version
/// of every client it stores or corrects a line of).
///
/// Layout, all integers LEB128 varints (signed ones zigzag-encoded):
/// - the category names: their count, then each as its UTF-8 length and bytes;
/// - the days: their count, then per day its number (the first absolute, then the step from the previous), the
///   ``DayTotals`` (net, gross, returns, margin, margin lines, lines) and its categories: their count, then
///   (name index, amount) each.
struct HistoryRecord {
    private(set) var bytes: [UInt8] = []
    private var names: [String] = []
    /// By their bytes: Swift's `==` takes "é" and "e" with a combining accent for one name, the rows keep both.
    private var nameIndex: [ByteText: Int] = [:]
    private var body: [UInt8] = []
    private var days = 0
    private var previousDay: Int64 = 0

    init() {}

    /// Appends one day, after every earlier one, with its categories in their stored order.
    mutating func append(day: Int64, totals: DayTotals, categories: [(name: String, amount: Int64)]) {
        Self.put(signed: days == 0 ? day : day - previousDay, into: &body)
        previousDay = day
        days += 1
        Self.put(signed: totals.net, into: &body)
        Self.put(signed: totals.gross, into: &body)
        Self.put(signed: totals.returns, into: &body)
        Self.put(signed: totals.margin, into: &body)
        Self.put(signed: totals.marginLines, into: &body)
        Self.put(signed: totals.lines, into: &body)
        Self.put(UInt64(categories.count), into: &body)
        for (name, amount) in categories {
            let index: Int
            if let known = nameIndex[ByteText(name)] {
                index = known
            } else {
                index = names.count
                names.append(name)
                nameIndex[ByteText(name)] = index
            }
            Self.put(UInt64(index), into: &body)
            Self.put(signed: amount, into: &body)
        }
    }

    /// The finished record.
    func encoded() -> [UInt8] {
        var out: [UInt8] = []
        out.reserveCapacity(body.count + names.count * 12 + 8)
        Self.put(UInt64(names.count), into: &out)
        for name in names {
            let utf8 = Array(name.utf8)
            Self.put(UInt64(utf8.count), into: &out)
            out += utf8
        }
        Self.put(UInt64(days), into: &out)
        out += body
        return out
    }

    /// The days of a record up to `asOf`, as criteria see them, with their categories in the days or, when `flat`, in
    /// one ``CategoryItems`` (the days then carry none); nil when the bytes are not a whole record (then the client's
    /// rows are read instead).
    static func days(
        _ bytes: UnsafeRawBufferPointer, through asOf: Day, flat: Bool
    ) -> (days: [ActivityDay], flat: CategoryItems?)? {
        var reader = Reader(bytes: bytes)
        guard let nameCount = reader.unsigned(), nameCount <= UInt64(bytes.count) else { return nil }
        var names: [String] = []
        names.reserveCapacity(Int(nameCount))
        for _ in 0..<nameCount {
            guard let name = reader.text() else { return nil }
            names.append(name)
        }
        guard let dayCount = reader.unsigned(), dayCount <= UInt64(bytes.count) else { return nil }
        var out: [ActivityDay] = []
        out.reserveCapacity(Int(dayCount))
        var items: CategoryItems?
        if flat {
            items = CategoryItems()
            items!.names = names
            items!.starts.reserveCapacity(Int(dayCount) + 1)
        }
        var day: Int64 = 0
        let last = Int64(asOf.number)
        for index in 0..<dayCount {
            guard let step = reader.signed(), let net = reader.signed(), let gross = reader.signed(),
                let returns = reader.signed(), let margin = reader.signed(), let marginLines = reader.signed(),
                let lines = reader.signed(), let categoryCount = reader.unsigned(),
                categoryCount <= UInt64(bytes.count)
            else { return nil }
            // Days only go forward: a record that says otherwise is damaged (readers cut histories as a prefix).
            guard index == 0 || step > 0 else { return nil }
            day = index == 0 ? step : day &+ step
            guard day >= Int64(Int32.min), day <= Int64(Int32.max) else { return nil }
            // Days after the cut are read through, not kept: the whole record is checked whatever the day.
            if day > last {
                for _ in 0..<categoryCount {
                    guard reader.unsigned() != nil, reader.signed() != nil else { return nil }
                }
                continue
            }
            var categories: [CategoryAmount] = []
            if !flat { categories.reserveCapacity(Int(categoryCount)) }
            for _ in 0..<categoryCount {
                guard let name = reader.unsigned(), name < UInt64(names.count), let amount = reader.signed() else {
                    return nil
                }
                if flat {
                    items!.add(name: Int(name), amount: amount)
                } else {
                    categories.append(CategoryAmount(category: names[Int(name)], amount: Money(scaled: amount)))
                }
            }
            if flat { items!.endDay() }
            let totals = DayTotals(
                net: net, gross: gross, returns: returns, margin: margin, marginLines: marginLines, lines: lines)
            out.append(totals.activity(on: Day(number: Int32(day)), categories: categories))
        }
        return (out, items)
    }

    private static func put(_ value: UInt64, into out: inout [UInt8]) {
        var value = value
        while value >= 0x80 {
            out.append(UInt8(truncatingIfNeeded: value) | 0x80)
            value >>= 7
        }
        out.append(UInt8(value))
    }

    private static func put(signed value: Int64, into out: inout [UInt8]) {
        put(UInt64(bitPattern: (value << 1) ^ (value >> 63)), into: &out)
    }

    /// Reads varints and names from a record, refusing to run past its end.
    private struct Reader {
        let bytes: UnsafeRawBufferPointer
        var offset = 0

        mutating func unsigned() -> UInt64? {
            var value: UInt64 = 0
            var shift: UInt64 = 0
            while offset < bytes.count, shift < 64 {
                let byte = bytes[offset]
                offset += 1
                value |= UInt64(byte & 0x7F) << shift
                if byte < 0x80 { return value }
                shift += 7
            }
            return nil
        }

        mutating func signed() -> Int64? {
            guard let raw = unsigned() else { return nil }
            return Int64(bitPattern: raw >> 1) ^ -Int64(bitPattern: raw & 1)
        }

        mutating func text() -> String? {
            guard let length = unsigned(), length <= UInt64(bytes.count - offset) else { return nil }
            let start = offset
            offset += Int(length)
            return String(decoding: UnsafeRawBufferPointer(rebasing: bytes[start..<offset]), as: UTF8.self)
        }
    }
}
