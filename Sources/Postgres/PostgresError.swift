/// An error reported by the PostgreSQL server, or by libpq on its behalf.
///
/// It carries the server's diagnostic fields so that callers can name the SQLSTATE and point at the
/// statement position, rather than printing one opaque string (modelled on PostgresNIO's `PSQLError`).
public struct PostgresError: Error, CustomStringConvertible, Sendable {
    /// Five-character SQLSTATE, e.g. `42501` for insufficient privilege; nil for client-side failures.
    public var sqlState: String?
    public var severity: String?
    public var message: String
    public var detail: String?
    public var hint: String?
    /// 1-based character position in `query` where the server located the error.
    public var position: Int?
    public var context: String?
    /// The SQL that failed, when there was one.
    public var query: String?

    public init(sqlState: String? = nil, severity: String? = nil, message: String, detail: String? = nil,
                hint: String? = nil, position: Int? = nil, context: String? = nil, query: String? = nil) {
        self.sqlState = sqlState
        self.severity = severity
        self.message = message
        self.detail = detail
        self.hint = hint
        self.position = position
        self.context = context
        self.query = query
    }

    /// The (line, column) of `position` inside `query`, both 1-based.
    /// `SQLSTATE: message`, one line: what a check result or a blocker quotes of a refusal.
    public var brief: String { "\(sqlState ?? "?"): \(message)" }

    public var lineAndColumn: (line: Int, column: Int)? {
        guard let position, let query else { return nil }
        var line = 1, column = 1, index = 1
        for character in query {
            if index == position { break }
            if character == "\n" { line += 1; column = 1 } else { column += 1 }
            index += 1
        }
        return (line, column)
    }

    public var description: String {
        var text = "\(severity ?? "ERROR"): \(message)"
        if let sqlState { text += " (SQLSTATE \(sqlState))" }
        if let at = lineAndColumn, let query {
            text += " at line \(at.line), column \(at.column)"
            let lines = query.split(separator: "\n", omittingEmptySubsequences: false)
            if at.line - 1 < lines.count {
                text += "\nLINE \(at.line): \(lines[at.line - 1])\n" + String(repeating: " ", count: "LINE \(at.line): ".count + at.column - 1) + "^"
            }
        }
        if let detail { text += "\nDETAIL: \(detail)" }
        if let hint { text += "\nHINT: \(hint)" }
        if let context { text += "\nCONTEXT: \(context)" }
        return text
    }

    public static func client(_ message: String) -> PostgresError { PostgresError(message: message) }
}
