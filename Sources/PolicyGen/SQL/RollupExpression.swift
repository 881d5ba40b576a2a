import Foundation
import SQLParser

/// Checks a rollup's `group_by` or aggregate expression with PostgreSQL's own parser.
///
/// A rollup is refreshed as the owner, which sees every tenant's rows, and each of its rows is shown to one
/// tenant. So an expression may read only the columns of the source row it is grouped with: a sub-select, a
/// qualified column (another relation), a window or a function outside a short list of pure built-ins could
/// carry another tenant's rows (or the whole table's totals) into a tenant's row, and is refused.
public enum RollupExpression {
    public struct Reading: Equatable {
        /// Unqualified columns named.
        public var columns: [String]
        /// Whether an aggregate is called.
        public var aggregates: Bool
    }

    public static let aggregateFunctions: Set = [
        "count", "sum", "avg", "min", "max", "bool_and", "bool_or", "every", "array_agg", "string_agg", "jsonb_agg",
        "stddev", "stddev_pop", "stddev_samp", "variance", "var_pop", "var_samp", "percentile_cont", "percentile_disc",
        "mode", "bit_and", "bit_or", "first", "last",
    ]
    public static let scalarFunctions: Set = [
        "date_trunc", "date_bin", "date_part", "extract", "time_bucket", "timezone", "to_char", "lower", "upper", "length",
        "left", "right", "substr", "substring", "round", "trunc", "floor", "ceil", "abs", "greatest", "least",
        "jsonb_extract_path_text", "json_extract_path_text",
    ]

    /// What the expression reads, or why it is refused.
    public static func read(_ expression: String) -> Result<Reading, ExpressionError> {
        if let problem = ExpressionCheck.problem(in: expression) { return .failure(.init(problem)) }
        let tree: String
        do { tree = try SQLParser.parseTree("SELECT (" + expression + ")") } catch let error as SQLParser.SyntaxError {
            return .failure(.init("not one SQL expression: " + error.message))
        } catch { return .failure(.init("\(error)")) }
        guard let root = try? JSONSerialization.jsonObject(with: Data(tree.utf8)),
              let statements = (root as? [String: Any])?["stmts"] as? [[String: Any]], statements.count == 1,
              let select = (statements[0]["stmt"] as? [String: Any])?["SelectStmt"] as? [String: Any],
              let targets = select["targetList"] as? [Any], targets.count == 1, select["fromClause"] == nil else {
            return .failure(.init("not one SQL expression"))
        }
        var reading = Reading(columns: [], aggregates: false), problem: String?
        func walk(_ node: Any) {
            guard problem == nil else { return }
            if let object = node as? [String: Any] {
                if object["SubLink"] != nil { problem = "a sub-select reads rows outside the group (every tenant's, at refresh)"; return }
                if let ref = object["ColumnRef"] as? [String: Any], let fields = ref["fields"] as? [[String: Any]] {
                    guard fields.count == 1, let name = (fields[0]["String"] as? [String: Any])?["sval"] as? String else {
                        problem = "only the source's own columns, unqualified, may be named"; return
                    }
                    reading.columns.append(name)
                }
                if let call = object["FuncCall"] as? [String: Any] {
                    let names = (call["funcname"] as? [[String: Any]] ?? []).compactMap { ($0["String"] as? [String: Any])?["sval"] as? String }
                    let name = names.last ?? ""
                    if call["over"] != nil { problem = "a window function reads rows outside the group"; return }
                    if names.count > 2 || (names.count == 2 && names[0] != "pg_catalog") {
                        problem = "function '\(names.joined(separator: "."))' is not one of the built-ins a rollup may call"; return
                    }
                    if aggregateFunctions.contains(name) { reading.aggregates = true }
                    else if !scalarFunctions.contains(name) {
                        problem = "function '\(name)' is not one of the built-ins a rollup may call (it runs as the owner, over every tenant's rows): "
                            + (aggregateFunctions.sorted() + scalarFunctions.sorted()).joined(separator: ", "); return
                    }
                }
                object.values.forEach(walk)
            } else if let array = node as? [Any] {
                array.forEach(walk)
            }
        }
        walk(targets)
        if let problem { return .failure(.init(problem)) }
        return .success(reading)
    }

    public struct ExpressionError: Error, Equatable {
        public var message: String
        init(_ message: String) { self.message = message }
    }
}
