import WinbackCore

/// Which field of a file holds which canonical column, read from its header line.
///
/// Header names match case-insensitively, with spaces and hyphens taken as underscores (`Client ID`
/// is `client_id`), after the config's renames. Columns winback does not know are ignored.
struct HeaderMap: Equatable {
    let kind: InputKind
    /// Canonical column name → field index.
    let fields: [String: Int]
    let fieldCount: Int

    subscript(column: String) -> Int? { fields[column] }

    /// Recognises the kind of file and maps its columns, or says what is wrong with the header.
    static func read(header: [String], renames: [InputKind: [String: String]]) throws(BadLine) -> HeaderMap {
        let normalised = header.map(normalise)
        var problems: [String] = []
        for kind in [InputKind.sales, .contacts, .clients] {
            let result = map(normalised, kind: kind, renames: renames[kind] ?? [:])
            switch result {
            case .success(let fields):
                if InputKind.recognise(Set(fields.keys)) == kind {
                    return HeaderMap(kind: kind, fields: fields, fieldCount: header.count)
                }
                let missing = kind.requiredColumns.filter { fields[$0] == nil }
                problems.append("\(kind.rawValue) files need \(missing.joined(separator: ", "))")
            case .failure(let duplicate):
                throw duplicate
            }
        }
        let found = header.prefix(20).map { $0.isEmpty ? "(empty)" : $0 }.joined(separator: ", ")
        throw BadLine(
            line: 1, column: "header",
            reason: "not a sales, contacts or clients file (\(problems.joined(separator: "; "))); found: \(found)")
    }

    private static func map(_ header: [String], kind: InputKind, renames: [String: String])
        -> Result<[String: Int], BadLine>
    {
        var byHeader: [String: String] = [:]
        for column in kind.columns {
            byHeader[normalise(renames[column.name] ?? column.name)] = column.name
        }
        var fields: [String: Int] = [:]
        for (index, name) in header.enumerated() {
            guard let canonical = byHeader[name] else { continue }
            if let earlier = fields[canonical] {
                return .failure(
                    BadLine(
                        line: 1, column: "header",
                        reason: "column \(canonical) appears twice (fields \(earlier + 1) and \(index + 1))"))
            }
            fields[canonical] = index
        }
        return .success(fields)
    }

    static func normalise(_ name: String) -> String {
        String(
            name.trimmingSpaces.lowercased().map { $0 == " " || $0 == "-" ? "_" : $0 })
    }
}

extension String {
    var trimmingSpaces: Substring {
        let isSpace: (Character) -> Bool = { $0 == " " || $0 == "\t" || $0 == "\u{00A0}" }
        guard let first = firstIndex(where: { !isSpace($0) }) else { return "" }
        let last = lastIndex(where: { !isSpace($0) })!
        return self[first...last]
    }
}
