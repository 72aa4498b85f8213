import WinbackCSV
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
    ///
    /// `forced` (from `winback import --kind`) skips recognition: the header must then have that kind's required
    /// columns. Otherwise the kind is decided strictly by ``InputKind/recognise(found:unknown:)``.
    static func read(header: [String], renames: [InputKind: [String: String]], forced: InputKind? = nil)
        throws(BadLine) -> HeaderMap
    {
        let normalised = header.map(normalise)
        var maps: [InputKind: [String: Int]] = [:]
        for kind in InputKind.allCases {
            switch map(normalised, kind: kind, renames: renames[kind] ?? [:]) {
            case .success(let fields): maps[kind] = fields
            case .failure(let duplicate) where forced == nil || forced == kind: throw duplicate
            case .failure: maps[kind] = [:]
            }
        }
        func refuse(_ reason: String) -> BadLine { BadLine(line: 1, column: "header", reason: reason) }
        func lacking(_ kind: InputKind, _ missing: [String]) -> String {
            let keys = missing.map { "\($0) = \"YOUR HEADER\"" }.joined(separator: ", ")
            return "no \(missing.joined(separator: ", ")) column"
                + "; if the export names \(missing.count == 1 ? "it" : "them") otherwise, map "
                + "\(missing.count == 1 ? "it" : "them") in the config: [import.columns.\(kind.rawValue)] \(keys)"
                + "; found: \(found(header))"
        }
        if let forced {
            let fields = maps[forced]!
            let missing = forced.requiredColumns.filter { fields[$0] == nil }
            guard missing.isEmpty else { throw refuse("read as a \(forced.rawValue) file (--kind), but " + lacking(forced, missing)) }
            return HeaderMap(kind: forced, fields: fields, fieldCount: header.count)
        }
        var known: Set<Int> = []
        for fields in maps.values { known.formUnion(fields.values) }
        let unknown = header.indices.filter { !known.contains($0) && !header[$0].isEmpty }.map { header[$0] }
        let recognition = InputKind.recognise(found: maps.mapValues { Set($0.keys) }, unknown: unknown)
        switch recognition {
        case .kind(let kind):
            return HeaderMap(kind: kind, fields: maps[kind]!, fieldCount: header.count)
        case .incomplete(let kind, let missing):
            let marks = kind == .sales ? "a date and an amount column" : "an outcome column"
            throw refuse("looks like a \(kind.rawValue) file (it has \(marks)) but has " + lacking(kind, missing))
        case .ambiguous(let reason):
            throw refuse(
                "not clearly a sales, contacts or clients file: \(reason); name the kind with "
                    + "`winback import --kind sales|contacts|clients`; found: \(found(header))")
        case .unrecognised(let reason):
            throw refuse("not a sales, contacts or clients file (\(reason)); found: \(found(header))")
        }
    }

    /// The header as quoted in an error: escaped, each field cut short, a few hundred characters at most, so that
    /// no header can forge a line or swell the ledger, the alert and the outbox.
    static func found(_ header: [String]) -> String {
        var out = ""
        for (index, field) in header.enumerated() {
            let next = (index > 0 ? ", " : "") + quoted(field)
            if out.count + next.count > 300 {
                return out + ", … (\(header.count) fields)"
            }
            out += next
        }
        return out
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
