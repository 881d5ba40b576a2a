/// The rows of one query, in libpq's text format. Values stay text: callers convert what they need.
public struct QueryResult: Sendable {
    public var columns: [String]
    public var rows: [[String?]]
    /// The command tag's row count (`UPDATE 3` → 3), for statements that return no rows.
    public var affectedRows: Int

    public init(columns: [String], rows: [[String?]], affectedRows: Int) {
        self.columns = columns
        self.rows = rows
        self.affectedRows = affectedRows
    }

    /// The first column of the first row, the common shape of catalog look-ups.
    public var scalar: String? { rows.first?.first ?? nil }

    /// The first column of the first row as a boolean (`t`, or `true` from a `::text` cast).
    public var flag: Bool { ["t", "true"].contains(scalar ?? "") }

    /// Rows as dictionaries by column name, for readable catalog code.
    ///
    /// When two columns share a name (`SELECT a.id, b.id`), the first one's value is kept, as libpq's
    /// `PQfnumber` finds the first: a query is free to repeat a name, so this must not trap. Alias the columns
    /// to read both by name, or read them by position from `rows`.
    public var records: [[String: String?]] {
        rows.map { row in Dictionary(zip(columns, row), uniquingKeysWith: { first, _ in first }) }
    }

    /// Rows read by column name, into types.
    public var named: [Record] { records.map(Record.init) }

    /// One row by column name: text as libpq gives it, booleans whichever way PostgreSQL spells them (`t`, or
    /// `true` from a `::text` cast), numbers when they parse.
    public struct Record: Sendable {
        public let values: [String: String?]
        public subscript(_ name: String) -> String? { values[name] ?? nil }
        public func bool(_ name: String) -> Bool { ["t", "true"].contains(self[name] ?? "") }
        public func int(_ name: String) -> Int? { self[name].flatMap { Int($0) } }
    }
}
