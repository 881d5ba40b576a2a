import Catalog
import Foundation

/// What inlining reads from `pg_get_functiondef` where the catalog's body is not enough: the SQL-standard
/// bodies (`RETURN expr`, `BEGIN ATOMIC SELECT expr; END`, whose `prosrc` is empty) and the arguments'
/// `DEFAULT`s (a call may leave them out, and the identity arguments do not print them).
extension FunctionLookup {
    /// The expression of a SQL-standard body: `RETURN <expr>`, or `BEGIN ATOMIC` with one `SELECT <expr>`.
    /// nil for any other body (several statements, a sub-select with FROM, …).
    static func standardBody(_ function: DatabaseCatalog.Function) -> Expr? {
        guard let definition = function.definition else { return nil }
        let lines = definition.split(separator: "\n", omittingEmptySubsequences: false).map(String.init)
        if let i = lines.firstIndex(where: { $0.hasPrefix("RETURN ") }) {
            let text = lines[i...].joined(separator: "\n").dropFirst("RETURN ".count)
            return ExpressionCache.shared.body("SELECT " + text)
        }
        guard let begin = lines.firstIndex(where: { $0.trimmingCharacters(in: .whitespaces) == "BEGIN ATOMIC" }),
              let end = lines.lastIndex(where: { $0.trimmingCharacters(in: .whitespaces).uppercased() == "END" }), end > begin + 1
        else { return nil }
        return ExpressionCache.shared.body(lines[(begin + 1)..<end].joined(separator: "\n"))
    }

    /// The `DEFAULT` expression of each argument, nil where it has none: from the definition's header
    /// (`f(setting text, missing_ok boolean DEFAULT true)`).
    static func defaults(_ function: DatabaseCatalog.Function) -> [Expr?] {
        guard let definition = function.definition, let arguments = headerArguments(definition) else {
            return Array(repeating: nil, count: function.argumentTypes.count)
        }
        return arguments.map { argument in
            guard let range = argument.range(of: #"\s(DEFAULT|=)\s"#, options: [.regularExpression, .caseInsensitive]) else { return nil }
            return ExpressionCache.shared.body("SELECT " + argument[range.upperBound...])
        }
    }

    /// How many trailing arguments have a default (a call may give that many fewer).
    static func defaultCount(_ function: DatabaseCatalog.Function) -> Int {
        guard let definition = function.definition, definition.range(of: "DEFAULT", options: .caseInsensitive) != nil else { return 0 }
        return defaults(function).reversed().prefix { $0 != nil }.count
    }

    /// The arguments of `CREATE … FUNCTION name(…)`, split at the commas outside quotes and parentheses.
    static func headerArguments(_ definition: String) -> [String]? {
        guard let open = definition.firstIndex(of: "(") else { return nil }
        var parts: [String] = []
        var current = ""
        var depth = 0
        var quote: Character?
        for char in definition[definition.index(after: open)...] {
            if let q = quote {
                current.append(char)
                if char == q { quote = nil }
                continue
            }
            switch char {
            case "'", "\"": quote = char
            case "(": depth += 1
            case ")":
                if depth == 0 {
                    let last = current.trimmingCharacters(in: .whitespacesAndNewlines)
                    return last.isEmpty && parts.isEmpty ? [] : parts + [last]
                }
                depth -= 1
            case "," where depth == 0:
                parts.append(current.trimmingCharacters(in: .whitespacesAndNewlines))
                current = ""
                continue
            default: break
            }
            current.append(char)
        }
        return nil
    }
}
