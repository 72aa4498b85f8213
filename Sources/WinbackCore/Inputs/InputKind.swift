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

    /// The columns that mark a file as this kind whatever else it holds: a date and an amount make a sales
    /// export, an outcome makes a contacts file. Clients files have no mark of their own: they are told by
    /// holding nothing but clients columns.
    public var marks: [[String]] {
        switch self {
        case .sales: return [["date", "amount"], ["document", "amount"]]
        case .contacts: return [["outcome"]]
        case .clients: return []
        }
    }

    /// Decides which kind a header is, strictly, from the canonical columns found under each kind's names
    /// (after the config's renames).
    ///
    /// A header carrying the marks of a sales export is a sales file or nothing: when it lacks a required sales
    /// column it is refused, never taken for master data. A contacts file is told by its outcome column and a
    /// clients file by holding only clients columns; a header with the marks of two kinds, or of none, is
    /// refused with the reason. `unknown` are the header's columns that no kind knows.
    public static func recognise(found: [InputKind: Set<String>], unknown: [String]) -> Recognition {
        func marked(_ kind: InputKind) -> Bool {
            kind.marks.contains { mark in mark.allSatisfy { found[kind, default: []].contains($0) } }
        }
        func missing(_ kind: InputKind) -> [String] {
            kind.requiredColumns.filter { !found[kind, default: []].contains($0) }
        }
        let sales = marked(.sales)
        let contacts = marked(.contacts)
        if sales && contacts {
            return .ambiguous("it has the columns of a sales export (date, amount) and of a contacts file (outcome)")
        }
        for kind in [InputKind.sales, .contacts] where kind == .sales ? sales : contacts {
            let lacking = missing(kind)
            return lacking.isEmpty ? .kind(kind) : .incomplete(kind, missing: lacking)
        }
        let clientColumns = found[.clients, default: []]
        guard clientColumns.contains("client_id") else {
            return .unrecognised(
                "sales files need \(InputKind.sales.requiredColumns.joined(separator: ", ")); contacts files need "
                    + "\(InputKind.contacts.requiredColumns.joined(separator: ", ")); clients files need client_id")
        }
        // Columns of other kinds that a clients file does not have, then columns no kind knows.
        let foreign = Set(found[.sales, default: []]).union(found[.contacts, default: []])
            .subtracting(Set(InputKind.clients.columns.map(\.name)))
        let strangers = foreign.sorted() + unknown
        guard strangers.isEmpty else {
            return .ambiguous(
                "it has client_id but also \(strangers.prefix(5).joined(separator: ", "))"
                    + (strangers.count > 5 ? " and \(strangers.count - 5) more" : "")
                    + ", which a clients file does not have")
        }
        return clientColumns.count > 1
            ? .kind(.clients) : .ambiguous("it has only a client_id column: nothing to import as master data")
    }

    /// What ``recognise(found:unknown:)`` concluded.
    public enum Recognition: Sendable, Equatable {
        case kind(InputKind)
        /// The header carries this kind's marks but lacks these required columns.
        case incomplete(InputKind, missing: [String])
        /// It could be more than one kind, or is not clearly any: the reason.
        case ambiguous(String)
        /// No kind's required columns: what each kind needs.
        case unrecognised(String)
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
