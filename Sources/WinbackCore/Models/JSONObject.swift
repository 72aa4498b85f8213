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
        objects.isEmpty ? "[]\n" : "[\n" + objects.map { "  " + $0.text }.joined(separator: ",\n") + "\n]\n"
    }

    /// The object on one line: `{"a": 1, "b": "x"}`.
    public var text: String {
        "{" + fields.map { Self.string($0.0) + ": " + Self.render($0.1) }.joined(separator: ", ") + "}"
    }

    static func render(_ value: Value) -> String {
        switch value {
        case .number(let number): return number.isFinite ? "\(number)" : "null"
        case .integer(let number): return String(number)
        case .decimal(let text): return text
        case .string(let text): return string(text)
        case .bool(let flag): return flag ? "true" : "false"
        case .null: return "null"
        case .object(let object): return object.text
        case .array(let values): return "[" + values.map(render).joined(separator: ", ") + "]"
        }
    }

    /// A JSON string literal: quotes, backslashes and control characters escaped, C1 controls too (U+009B is a
    /// terminal's CSI: JSON allows it raw, a terminal showing the file does not), and U+2028/2029, which break
    /// JavaScript readers of JSON lines.
    public static func string(_ text: String) -> String {
        // Most text is printable ASCII without quotes or backslashes: taken whole.
        if text.utf8.allSatisfy({ $0 >= 0x20 && $0 < 0x7F && $0 != 0x22 && $0 != 0x5C }) { return "\"" + text + "\"" }
        var out = "\""
        for scalar in text.unicodeScalars {
            switch scalar {
            case "\"": out += "\\\""
            case "\\": out += "\\\\"
            case "\n": out += "\\n"
            case "\r": out += "\\r"
            case "\t": out += "\\t"
            default:
                if scalar.value < 0x20 || (0x7F...0x9F).contains(scalar.value) || scalar.value == 0x2028
                    || scalar.value == 0x2029
                {
                    out += "\\u" + String(scalar.value, radix: 16).leftPadded(to: 4)
                } else {
                    out.unicodeScalars.append(scalar)
                }
            }
        }
        return out + "\""
    }
}
