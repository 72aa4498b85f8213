/// The three kinds of file winback imports, told apart by their header.
public enum InputKind: String, Sendable, CaseIterable, Codable {
    case sales, contacts, clients

    /// The canonical column names of this kind of file, required ones first.
    public var columns: [InputColumn] {
        switch self {
        case .sales:
            return [
                .init("date", required: true), .init("client_id", required: true),
                .init("document", required: true), .init("amount", required: true),
                .init("client_name"), .init("line"), .init("sku"), .init("category"),
                .init("quantity"), .init("margin"), .init("manager"), .init("region"),
            ]
        case .contacts:
            return [
                .init("date", required: true), .init("client_id", required: true),
                .init("manager", required: true), .init("outcome", required: true), .init("note"),
            ]
        case .clients:
            return [
                .init("client_id", required: true), .init("client_name"), .init("manager"),
                .init("region"), .init("segment"), .init("dossier_reviewed"),
            ]
        }
    }

    public var requiredColumns: [String] { columns.filter(\.required).map(\.name) }

    /// The kind whose required columns all appear among `names` (canonical names), most specific first:
    /// a sales file also has `date` and `client_id`, so sales and contacts are tried before clients.
    public static func recognise(_ names: Set<String>) -> InputKind? {
        for kind in [InputKind.sales, .contacts, .clients] where kind.requiredColumns.allSatisfy(names.contains) {
            if kind == .clients, names.contains("date") || names.contains("amount") { continue }
            return kind
        }
        return nil
    }
}

/// One column of an input file: its canonical name and whether a file of its kind must have it.
public struct InputColumn: Sendable, Equatable {
    public var name: String
    public var required: Bool

    public init(_ name: String, required: Bool = false) {
        self.name = name
        self.required = required
    }
}
