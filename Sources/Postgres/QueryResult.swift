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

    /// Rows as dictionaries by column name, for readable catalog code.
    public var records: [[String: String?]] {
        rows.map { row in Dictionary(uniqueKeysWithValues: zip(columns, row)) }
    }
}
