/// A JSON object with its keys in the order given: how winback writes JSON wherever it is built from values.
///
/// Numbers that are not finite (a diverged fit) are written as `null`, never as `nan`, which is not JSON.
public struct JSONObject: Sendable, Equatable {
    public enum Value: Sendable, Equatable {
        case number(Double)
        case integer(Int64)
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

    /// The object on one line: `{"a": 1, "b": "x"}`.
    public var text: String {
        "{" + fields.map { Self.string($0.0) + ": " + Self.render($0.1) }.joined(separator: ", ") + "}"
    }

    static func render(_ value: Value) -> String {
        switch value {
        case .number(let number): return number.isFinite ? "\(number)" : "null"
        case .integer(let number): return String(number)
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
