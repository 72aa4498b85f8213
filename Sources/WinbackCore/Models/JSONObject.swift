/// A JSON object with its keys in the order given: how winback writes JSON wherever it is built from values.
///
/// Numbers that are not finite (a diverged fit) are written as `null`, never as `nan`, which is not JSON.
public struct JSONObject: Sendable, Equatable {
    public enum Value: Sendable, Equatable {
        case number(Double)
        case integer(Int64)
        /// An exact decimal already written as JSON writes numbers (`1234.50`, from ``Money/decimalString()``).
        case decimal(String)
        case string(String)
        case bool(Bool)
        case null
        case object(JSONObject)
        case array([Value])
    }

    public var fields: [(String, Value)]

    public init(_ fields: [(String, Value)]) {
        self.fields = fields
    }

    public static func == (lhs: JSONObject, rhs: JSONObject) -> Bool {
        lhs.fields.count == rhs.fields.count && zip(lhs.fields, rhs.fields).allSatisfy { $0.0 == $1.0 && $0.1 == $1.1 }
    }

    /// A string, or null.
    public static func string(_ text: String?) -> Value { text.map(Value.string) ?? .null }
    /// A day as `"2025-03-31"`, or null.
    public static func day(_ day: Day?) -> Value { day.map { .string($0.iso) } ?? .null }
    /// An amount as an exact decimal, or null.
    public static func money(_ money: Money?) -> Value { money.map { .decimal($0.decimalString()) } ?? .null }
    /// A number, or null.
    public static func number(_ number: Double?) -> Value { number.map(Value.number) ?? .null }
    /// An integer, or null.
    public static func integer(_ number: Int?) -> Value { number.map { .integer(Int64($0)) } ?? .null }

    /// Objects as a JSON array, one object per line.
    public static func array(_ objects: [JSONObject]) -> String {
        var out = JSONBytes()
        out.array(objects.count) { index, out in out.object(objects[index]) }
        return out.string
    }

    /// The object on one line: `{"a": 1, "b": "x"}`.
    public var text: String {
        var out = JSONBytes()
        out.object(self)
        return out.string
    }

    /// A JSON string literal: quotes, backslashes and control characters escaped, C1 controls too (U+009B is a
    /// terminal's CSI: JSON allows it raw, a terminal showing the file does not), and U+2028/2029, which break
    /// JavaScript readers of JSON lines.
    public static func string(_ text: String) -> String {
        var out = JSONBytes()
        out.string(text)
        return out.string
    }
}

/// JSON written as UTF-8 bytes into one growing buffer: what ``JSONObject`` renders with, and what a listing of
/// 100,000 rows is written with directly, without a `String` per cell.
public struct JSONBytes: Sendable {
    public private(set) var bytes: [UInt8] = []

    public init(capacity: Int = 256) {
        bytes.reserveCapacity(capacity)
    }

    /// The bytes as text.
    public var string: String { String(decoding: bytes, as: UTF8.self) }

    /// Bytes already in JSON's form, written as they are (a key written once for every row of a listing).
    public mutating func raw(bytes more: Slice<UnsafeBufferPointer<UInt8>>) {
        bytes.append(contentsOf: UnsafeBufferPointer(rebasing: more))
    }

    /// Raw text, written as it is (punctuation, a number already in JSON's form).
    public mutating func raw(_ text: String) {
        var text = text
        text.withUTF8 { bytes.append(contentsOf: $0) }
    }

    /// `count` elements as a JSON array, one per line, each written by `element`; `[]` when empty.
    public mutating func array(_ count: Int, _ element: (Int, inout JSONBytes) -> Void) {
        guard count > 0 else { return raw("[]\n") }
        raw("[\n")
        for index in 0..<count {
            raw(index == 0 ? "  " : ",\n  ")
            element(index, &self)
        }
        raw("\n]\n")
    }

    /// An object on one line, keys in order.
    public mutating func object(_ value: JSONObject) {
        object(value.fields.count) { index, out in
            out.field(value.fields[index].0, value.fields[index].1)
        }
    }

    /// An object of `count` fields, each written by `field` (through ``field(_:_:)``).
    public mutating func object(_ count: Int, _ field: (Int, inout JSONBytes) -> Void) {
        bytes.append(UInt8(ascii: "{"))
        for index in 0..<count {
            if index > 0 { raw(", ") }
            field(index, &self)
        }
        bytes.append(UInt8(ascii: "}"))
    }

    /// `"key": value`.
    public mutating func field(_ key: String, _ value: JSONObject.Value) {
        string(key)
        raw(": ")
        self.value(value)
    }

    public mutating func value(_ value: JSONObject.Value) {
        switch value {
        case .number(let number): raw(number.isFinite ? "\(number)" : "null")
        case .integer(let number): raw(String(number))
        case .decimal(let text): raw(text)
        case .string(let text): string(text)
        case .bool(let flag): raw(flag ? "true" : "false")
        case .null: raw("null")
        case .object(let object): self.object(object)
        case .array(let values):
            bytes.append(UInt8(ascii: "["))
            for (index, element) in values.enumerated() {
                if index > 0 { raw(", ") }
                self.value(element)
            }
            bytes.append(UInt8(ascii: "]"))
        }
    }

    /// A string literal, escaped as ``JSONObject/string(_:)`` says.
    public mutating func string(_ text: String) {
        var text = text
        bytes.append(UInt8(ascii: "\""))
        let plain = text.withUTF8 { utf8 -> Bool in
            // Most text is printable ASCII without quotes or backslashes: taken whole.
            guard utf8.allSatisfy({ $0 >= 0x20 && $0 < 0x7F && $0 != 0x22 && $0 != 0x5C }) else { return false }
            bytes.append(contentsOf: utf8)
            return true
        }
        if !plain {
            for scalar in text.unicodeScalars {
                switch scalar {
                case "\"": raw("\\\"")
                case "\\": raw("\\\\")
                case "\n": raw("\\n")
                case "\r": raw("\\r")
                case "\t": raw("\\t")
                default:
                    if scalar.value < 0x20 || (0x7F...0x9F).contains(scalar.value) || scalar.value == 0x2028
                        || scalar.value == 0x2029
                    {
                        raw("\\u" + String(scalar.value, radix: 16).leftPadded(to: 4))
                    } else {
                        UTF8.encode(scalar) { bytes.append($0) }
                    }
                }
            }
        }
        bytes.append(UInt8(ascii: "\""))
    }
}

extension JSONObject {
    /// Whether `text` is a number as JSON writes them: `-12`, `0.5`, `1e-7` (no leading zero, no `+`, no `nan`).
    public static func isNumber(_ text: String) -> Bool {
        var text = text
        return text.withUTF8(isJSONNumber)
    }
}

private func isJSONNumber(_ bytes: UnsafeBufferPointer<UInt8>) -> Bool {
    var index = 0
    func has(_ byte: UInt8) -> Bool { index < bytes.count && bytes[index] == byte }
    func digits() -> Int {
        let start = index
        while index < bytes.count, (48...57).contains(bytes[index]) { index += 1 }
        return index - start
    }
    if has(45) { index += 1 }  // -
    let first = index
    let integer = digits()
    guard integer > 0, !(bytes[first] == 48 && integer > 1) else { return false }
    if has(46) {  // .
        index += 1
        guard digits() > 0 else { return false }
    }
    if has(101) || has(69) {  // e E
        index += 1
        if has(43) || has(45) { index += 1 }
        guard digits() > 0 else { return false }
    }
    return index == bytes.count
}
