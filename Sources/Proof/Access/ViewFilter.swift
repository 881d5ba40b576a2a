import Foundation
import SQLParser

/// The row filter of a simple view, as text the solver reads: what a view that runs with its owner's rights
/// (tenantwall's walls over TimescaleDB storage, hand-made tenant views) relies on to keep the tenant wall.
///
/// Only `SELECT … FROM <one relation> WHERE <condition>` counts: no join, grouping, DISTINCT, set operation,
/// LIMIT or CTE, which would change what the condition means. The relation's qualifier is taken off the columns
/// (`orders.tenant_id` → `tenant_id`), since the solver names columns alone.
enum ViewFilter {
    /// The view's WHERE, or nil when the view is not of that simple form (or does not parse).
    static func condition(of definition: String) -> String? { parts(of: definition)?.condition }

    /// The query up to its WHERE (white space collapsed), and the condition: two views whose selects are equal
    /// differ only by what their conditions admit, which the solver compares.
    static func parts(of definition: String) -> (select: String, condition: String)? {
        var text = definition.trimmingCharacters(in: .whitespacesAndNewlines)
        if text.hasSuffix(";") { text.removeLast() }
        guard let relation = singleRelation(text), let start = topLevelWhere(text) else { return nil }
        var condition = String(text[start...]).trimmingCharacters(in: .whitespacesAndNewlines)
        for name in Set([relation.name, relation.alias].compactMap { $0 }) {
            condition = unqualified(condition, by: name)
        }
        guard (try? SQLParser.parseTree("SELECT 1 WHERE (" + condition + ")")) != nil else { return nil }
        return (Change.oneLine(String(text[..<start])), condition)
    }

    /// The one relation a plain filtered SELECT reads, with its alias; nil for anything else.
    static func singleRelation(_ text: String) -> (name: String, alias: String?)? {
        guard let json = try? SQLParser.parseTree(text), let root = try? JSONSerialization.jsonObject(with: Data(json.utf8)) as? [String: Any],
              let statements = root["stmts"] as? [[String: Any]], statements.count == 1,
              let select = (statements[0]["stmt"] as? [String: Any])?["SelectStmt"] as? [String: Any], select["whereClause"] != nil,
              let from = select["fromClause"] as? [[String: Any]], from.count == 1, let range = from[0]["RangeVar"] as? [String: Any],
              let name = range["relname"] as? String else { return nil }
        let changesMeaning = ["groupClause", "havingClause", "sortClause", "limitCount", "limitOffset", "windowClause", "distinctClause", "withClause",
                              "larg", "rarg", "valuesLists"]
        guard !changesMeaning.contains(where: { select[$0] != nil }) else { return nil }
        return (name, (range["alias"] as? [String: Any])?["aliasname"] as? String)
    }

    /// Just after the `WHERE` keyword outside parentheses, quotes and identifiers.
    static func topLevelWhere(_ text: String) -> String.Index? {
        var depth = 0, quote: Character? = nil, word = "", found: String.Index? = nil
        var index = text.startIndex
        while index < text.endIndex {
            let c = text[index]
            if let open = quote {
                if c == open { quote = nil }
            } else if c == "'" || c == "\"" {
                quote = c
            } else if c == "(" {
                depth += 1
            } else if c == ")" {
                depth -= 1
            }
            if quote == nil && (c.isLetter || c == "_") { word.append(c) } else { word = "" }
            let next = text.index(after: index)
            let endsWord = next == text.endIndex || !(text[next].isLetter || text[next].isNumber || text[next] == "_")
            if depth == 0 && quote == nil && endsWord && word.uppercased() == "WHERE" { found = next }
            index = next
        }
        return found
    }

    /// `name.` and `"name".` removed where they qualify a column (not a longer name's tail: `desk.f()` stays).
    static func unqualified(_ condition: String, by name: String) -> String {
        let quoted = NSRegularExpression.escapedPattern(for: "\"" + name.replacingOccurrences(of: "\"", with: "\"\"") + "\".")
        let bare = NSRegularExpression.escapedPattern(for: name + ".")
        guard let regex = try? NSRegularExpression(pattern: #"(?<![\w."$])(?:"# + quoted + "|" + bare + #")(?=["\w])"#) else { return condition }
        return regex.stringByReplacingMatches(in: condition, range: NSRange(condition.startIndex..., in: condition), withTemplate: "")
    }
}
