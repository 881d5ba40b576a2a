import Foundation
import SQLParser

/// The settings an existing policy reads, from PostgreSQL's own parse tree of the server's deparsed
/// expression: every `current_setting('…')`, and which of them are compared with a column
/// (`tenant_id = current_setting('app.current_tenant_id', true)::uuid`), which is how `init` finds the
/// setting that carries the tenant today.
public struct PolicySettings: Sendable, Equatable {
    /// Every setting read, in order of appearance (repeats kept out).
    public private(set) var read: [String] = []
    /// `column = <setting>` comparisons, looking through casts, COALESCE and NULLIF.
    public private(set) var comparisons: [Comparison] = []

    public struct Comparison: Sendable, Equatable {
        public var column: String
        public var setting: String
    }

    /// Nil when the text is not one expression the parser reads.
    public init?(_ expression: String) {
        guard let json = try? SQLParser.parseTree("SELECT 1 WHERE (\(expression))"),
              let root = try? JSONSerialization.jsonObject(with: Data(json.utf8)) as? [String: Any],
              let statements = root["stmts"] as? [[String: Any]], statements.count == 1,
              let select = (statements[0]["stmt"] as? [String: Any])?["SelectStmt"] as? [String: Any],
              let condition = select["whereClause"] else { return nil }
        walk(condition)
    }

    mutating func walk(_ node: Any) {
        if let list = node as? [Any] { list.forEach { walk($0) }; return }
        guard let dict = node as? [String: Any] else { return }
        if let call = dict["FuncCall"] as? [String: Any], Self.name(call["funcname"]) == "current_setting",
           let setting = Self.literal((call["args"] as? [Any])?.first), !read.contains(setting) {
            read.append(setting)
        }
        if let expr = dict["A_Expr"] as? [String: Any], (expr["kind"] as? String) == "AEXPR_OP", Self.name(expr["name"]) == "=" {
            for (side, other) in [("lexpr", "rexpr"), ("rexpr", "lexpr")] {
                if let column = Self.column(expr[side]), let setting = Self.setting(expr[other]) {
                    comparisons.append(Comparison(column: column, setting: setting))
                }
            }
        }
        for key in dict.keys.sorted() { walk(dict[key]!) }
    }

    static func name(_ list: Any?) -> String {
        ((list as? [[String: Any]])?.last?["String"] as? [String: Any])?["sval"] as? String ?? ""
    }

    static func literal(_ node: Any?) -> String? {
        guard let dict = node as? [String: Any] else { return nil }
        if let cast = dict["TypeCast"] as? [String: Any] { return literal(cast["arg"]) }
        return ((dict["A_Const"] as? [String: Any])?["sval"] as? [String: Any])?["sval"] as? String
    }

    static func column(_ node: Any?) -> String? {
        guard let dict = node as? [String: Any] else { return nil }
        if let cast = dict["TypeCast"] as? [String: Any] { return column(cast["arg"]) }
        guard let ref = dict["ColumnRef"] as? [String: Any] else { return nil }
        return name(ref["fields"])
    }

    /// The setting of `current_setting('name'[, missing_ok])`, through casts, COALESCE, NULLIF and a sub-select
    /// of it.
    static func setting(_ node: Any?) -> String? {
        guard let dict = node as? [String: Any] else { return nil }
        if let cast = dict["TypeCast"] as? [String: Any] { return setting(cast["arg"]) }
        if let coalesce = dict["CoalesceExpr"] as? [String: Any] { return (coalesce["args"] as? [Any])?.lazy.compactMap(setting).first }
        if let expr = dict["A_Expr"] as? [String: Any], (expr["kind"] as? String) == "AEXPR_NULLIF" { return setting(expr["lexpr"]) }
        if let link = dict["SubLink"] as? [String: Any], let select = (link["subselect"] as? [String: Any])?["SelectStmt"] as? [String: Any],
           let target = (select["targetList"] as? [[String: Any]])?.first?["ResTarget"] as? [String: Any] {
            return setting(target["val"])
        }
        guard let call = dict["FuncCall"] as? [String: Any], name(call["funcname"]) == "current_setting" else { return nil }
        return literal((call["args"] as? [Any])?.first)
    }
}
