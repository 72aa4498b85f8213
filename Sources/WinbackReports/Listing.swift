import WinbackCore

/// A table of results that every listing command prints in one of three formats.
///
/// Commands build a ``Listing`` from domain values; the renderers decide the look. JSON keys and CSV
/// headers are the columns' snake_case keys, so scripts see the same names in both.
public struct Listing: Sendable {
    public struct Column: Sendable {
        public var key: String
        public var header: String
        public var alignRight = false
        /// The widest the column is drawn in a table but a `--wide` one: longer text is wrapped or shortened at a
        /// word (JSON and CSV carry it whole).
        public var maxWidth = 32
        /// Whether a narrow terminal drops it before others, or only `--wide` shows it.
        public var priority = Priority.medium
        /// Nil: the column keeps its width or is dropped whole; else it narrows, wrapping or shortening its text.
        public var flex: Flex?

        public init(
            key: String, header: String, alignRight: Bool = false, maxWidth: Int = 32, priority: Priority = .medium,
            flex: Flex? = nil
        ) {
            self.key = key
            self.header = header
            self.alignRight = alignRight
            self.maxWidth = maxWidth
            self.priority = priority
            self.flex = flex
        }
    }

    public enum Cell: Sendable {
        case text(String?)
        /// A number already written exactly (`1234.50`); JSON gets it bare, tables right-aligned.
        case number(String?)
        case date(Day?)
        /// A value with a structure in JSON (an offer, a list), and its one-line text in tables and CSV.
        case structured(String?, JSONObject.Value)

        public static func integer(_ value: Int?) -> Cell { .number(value.map(String.init)) }
        public static func money(_ value: Money?) -> Cell { .number(value?.decimalString()) }
    }

    public var columns: [Column]
    private var stored: [[Cell]] = []
    /// Rows made one at a time as the listing is written, instead of ``stored``: a JSON or CSV listing of the whole
    /// book (100,000 clients, 2.2 million cells) then never holds every cell at once.
    private var made: (count: Int, row: @Sendable (Int) -> [Cell])?

    public init(columns: [Column]) {
        self.columns = columns
    }

    /// A listing of `count` rows, row `i` made by `row(i)` each time it is written.
    public init(columns: [Column], count: Int, row: @escaping @Sendable (Int) -> [Cell]) {
        self.columns = columns
        made = (count, row)
    }

    /// Every row, made now if the listing makes its rows as it is written.
    public var rows: [[Cell]] {
        get { made.map { made in (0..<made.count).map(made.row) } ?? stored }
        set {
            stored = newValue
            made = nil
        }
    }

    public var rowCount: Int { made?.count ?? stored.count }

    /// Row `index`, made now if the listing makes its rows as it is written.
    public func row(_ index: Int) -> [Cell] {
        made.map { $0.row(index) } ?? stored[index]
    }

    public mutating func append(_ row: [Cell]) {
        precondition(row.count == columns.count, "a row needs one cell per column")
        if made != nil { stored = rows }
        made = nil
        stored.append(row)
    }

    /// The report without the columns `keys`, for terminal tables that cannot hold them all.
    public func dropping(_ keys: Set<String>) -> Listing {
        let kept = columns.indices.filter { !keys.contains(columns[$0].key) }
        var copy = Listing(columns: kept.map { columns[$0] })
        copy.rows = rows.map { row in kept.map { row[$0] } }
        return copy
    }

    /// The listing for people in `locale`: tables write numbers with its marks, CSVs in its dialect; JSON, for
    /// programs, never changes. A table fits `fit` (the terminal's width, or `--wide`).
    public func render(_ format: OutputFormat, locale: OutputLocale, fit: TableFit = .unlimited) -> String {
        String(decoding: bytes(format, locale: locale, fit: fit), as: UTF8.self)
    }

    /// ``render(_:locale:fit:)`` as the UTF-8 bytes it is written in.
    public func bytes(_ format: OutputFormat, locale: OutputLocale, fit: TableFit = .unlimited) -> [UInt8] {
        chunks(format, locale: locale, fit: fit).concatenated()
    }

    /// ``bytes(_:locale:fit:)`` in the pieces it was written in, one after the other: what a command writes out
    /// without copying 50 MB of JSON into one buffer first.
    public func chunks(_ format: OutputFormat, locale: OutputLocale, fit: TableFit = .unlimited) -> [[UInt8]] {
        switch format {
        case .table: return TableRenderer.chunks(localizingNumbers(locale.numbers), fit: fit)
        case .json: return JSONRenderer.chunks(self)
        case .csv:
            let table = CSVRenderer.encode(self, locale: locale)
            return [table.header, table.body]
        }
    }

    /// The listing with its number cells (written the default way) in the marks of `style`, each row made as it is
    /// written.
    func localizingNumbers(_ style: NumberStyle) -> Listing {
        guard !style.isPlain else { return self }
        return Listing(columns: columns, count: rowCount) { [self] index in
            row(index).map { cell in
                if case .number(let text?) = cell { return .number(style.localize(text)) }
                return cell
            }
        }
    }

    public func render(_ format: OutputFormat) -> String {
        switch format {
        case .table: return TableRenderer.render(self)
        case .json: return JSONRenderer.render(self)
        case .csv: return CSVRenderer.render(self)
        }
    }
}

/// `--format table|json|csv`.
public enum OutputFormat: String, CaseIterable, Sendable {
    case table, json, csv
}
