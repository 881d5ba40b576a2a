import Foundation

/// Reads a column default as the server deparses it (`pg_get_expr`) back into a spec default, when a spec can
/// say it: a literal (`'free'::text`, `0`, `true`), `identity`, or one of the functions `ColumnDefault` allows.
/// Anything else (`nextval(…)`, an expression) stays out of the spec: `CREATE TABLE IF NOT EXISTS` never
/// touches an existing table, so leaving it out keeps the database's default as it is.
public enum DefaultExpression {
    /// The spec default for a column, or nil when it has none or the spec cannot express it.
    public static func specDefault(_ column: ExistingDatabase.Column) -> ColumnDefault? {
        if column.identity { return DefaultCheck.problem(.function("identity"), type: column.type) == nil ? .function("identity") : nil }
        guard !column.generated, let expression = column.defaultExpression else { return nil }
        guard let value = read(expression) else { return nil }
        return DefaultCheck.problem(value, type: column.type) == nil ? value : nil
    }

    /// The value of a deparsed default, or nil when it is not a literal or an allowed function.
    public static func read(_ expression: String) -> ColumnDefault? {
        var text = expression.trimmingCharacters(in: .whitespaces)
        while text.hasPrefix("("), text.hasSuffix(")"), balanced(String(text.dropFirst().dropLast())) {
            text = String(text.dropFirst().dropLast()).trimmingCharacters(in: .whitespaces)
        }
        let lowered = text.lowercased()
        let functions = ["now()": "now()", "current_timestamp": "current_timestamp", "clock_timestamp()": "clock_timestamp()",
                         "current_date": "current_date", "gen_random_uuid()": "gen_random_uuid()"]
        if let function = functions[lowered] { return .function(function) }
        if lowered == "true" || lowered == "false" { return .bool(lowered == "true") }
        if text.range(of: #"^-?\d+(\.\d+)?$"#, options: .regularExpression) != nil { return .number(text) }
        // 'text'::type, the type possibly qualified or with a modifier: the literal is everything between the
        // first quote and its closing quote ('' is an escaped quote).
        guard text.hasPrefix("'") else { return nil }
        var literal = "", rest = Substring(text.dropFirst())
        while let quote = rest.firstIndex(of: "'") {
            literal += rest[..<quote]
            rest = rest[rest.index(after: quote)...]
            if rest.hasPrefix("'") { literal += "'"; rest = rest.dropFirst(); continue }
            let cast = rest.trimmingCharacters(in: .whitespaces)
            guard cast.isEmpty || cast.hasPrefix("::"), !cast.contains("'"), !literal.contains("\\") else { return nil }
            if cast.hasPrefix("::") && cast.dropFirst(2).contains("::") { return nil }
            return .string(literal)
        }
        return nil
    }

    /// Whether the parentheses of `text` pair up (so that outer ones can be dropped).
    static func balanced(_ text: String) -> Bool {
        var depth = 0, quoted = false
        for character in text {
            if character == "'" { quoted.toggle() }
            if quoted { continue }
            if character == "(" { depth += 1 }
            if character == ")" { depth -= 1; if depth < 0 { return false } }
        }
        return depth == 0 && !quoted
    }
}
