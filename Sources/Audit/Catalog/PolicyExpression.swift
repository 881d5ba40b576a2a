import Foundation
import SQLParser

/// What a policy expression does, read from PostgreSQL's own parse tree of the server's deparsed text
/// (`pg_get_expr`), not from pattern matching on the text.
public struct PolicyExpression: Sendable {
    public struct Call: Sendable, Equatable {
        public var name: String
        public var arguments: Int
        /// Inside a sub-select (`(SELECT f())`): evaluated once per statement as an InitPlan.
        public var inSubselect: Bool
    }

    public let text: String
    public private(set) var columns: Set<String> = []
    public private(set) var calls: [Call] = []
    /// The whole expression is the constant `true`.
    public private(set) var constantTrue = false
    /// An `OR` has a branch that is the constant `true`.
    public private(set) var trueBranch = false
    /// An `OR` has a branch `… IS NULL` on something that is not a row column (a missing context admits rows).
    public private(set) var failOpen = false
    /// `column = 'literal'` comparisons (a hard-coded tenant).
    public private(set) var literalComparisons: [(column: String, literal: String)] = []
    /// `current_setting(…)::type` with no `NULLIF(…, '')`: `''` then raises instead of matching nothing.
    public private(set) var castWithoutEmptyHandling = false
    /// Settings compared with a constant (`current_setting('app.admin_mode', true) = 'on'`): a switch any session
    /// can flip with SET.
    public private(set) var settingSwitches: [String] = []
    /// Relations read by sub-selects (`EXISTS (SELECT … FROM memberships …)`), as written.
    public private(set) var subselectRelations: [String] = []
    /// A column compared with a setting (`tenant_id = current_setting('app.tenant_id', true)::integer`, also through
    /// NULLIF, COALESCE and a sub-select): the tenant context, which selects rows, not a switch that grants them
    /// all. `type` is the outermost cast (`integer`), nil without one.
    public private(set) var contextComparisons: [(column: String, setting: String, type: String?)] = []
    /// A column compared with a call that takes no argument (`user_id = app.current_user_id()`, also in a
    /// sub-select): a context function, as written (`app.current_user_id`).
    public private(set) var contextCalls: [(column: String, function: String)] = []
    /// A column (maybe cast) matched against a setting by any other operator (`tenant_id::text LIKE
    /// current_setting('app.tenant_id', true) || '%'`): weaker evidence of which setting holds the context.
    public private(set) var contextMatches: [(column: String, setting: String)] = []

    public init?(_ text: String?) {
        guard let text, !text.isEmpty else { return nil }
        self.text = text
        guard let json = try? SQLParser.parseTree("SELECT 1 WHERE (\(text))"),
              let root = try? JSONSerialization.jsonObject(with: Data(json.utf8)) as? [String: Any],
              let stmts = root["stmts"] as? [[String: Any]], let stmt = stmts.first?["stmt"] as? [String: Any],
              let select = stmt["SelectStmt"] as? [String: Any], let whereClause = select["whereClause"] else { return nil }
        constantTrue = Self.isTrue(whereClause)
        walk(whereClause, inSubselect: false, underNullIf: false)
    }

    static func isTrue(_ node: Any) -> Bool {
        guard let dict = node as? [String: Any] else { return false }
        if let constant = dict["A_Const"] as? [String: Any], let b = constant["boolval"] as? [String: Any] { return b["boolval"] as? Bool == true }
        if let cast = dict["TypeCast"] as? [String: Any], let arg = cast["arg"] as? [String: Any],
           let constant = arg["A_Const"] as? [String: Any], let s = constant["sval"] as? [String: Any] {
            return ["t", "true"].contains((s["sval"] as? String)?.lowercased() ?? "")
        }
        return false
    }

    static func name(_ list: Any?) -> String {
        ((list as? [[String: Any]])?.last?["String"] as? [String: Any])?["sval"] as? String ?? ""
    }

    static func literal(_ node: Any?) -> String? {
        guard let dict = node as? [String: Any] else { return nil }
        if let cast = dict["TypeCast"] as? [String: Any] { return literal(cast["arg"]) }
        guard let constant = dict["A_Const"] as? [String: Any] else { return nil }
        if let s = constant["sval"] as? [String: Any] { return s["sval"] as? String }
        if let i = constant["ival"] as? [String: Any] { return String(describing: i["ival"] ?? "0") }
        return nil
    }

    /// The setting name of `current_setting('name'[, missing_ok])`, looking through casts and COALESCE/NULLIF.
    static func settingName(_ node: Any?) -> String? {
        guard let dict = node as? [String: Any] else { return nil }
        if let cast = dict["TypeCast"] as? [String: Any] { return settingName(cast["arg"]) }
        if let coalesce = dict["CoalesceExpr"] as? [String: Any] { return (coalesce["args"] as? [Any])?.lazy.compactMap(settingName).first }
        if let expr = dict["A_Expr"] as? [String: Any], (expr["kind"] as? String) == "AEXPR_NULLIF" { return settingName(expr["lexpr"]) }
        guard let call = dict["FuncCall"] as? [String: Any], name(call["funcname"]) == "current_setting" else { return nil }
        return literal((call["args"] as? [Any])?.first)
    }

    /// The setting a value expression reads and the type it is cast to: `NULLIF(current_setting('s', true), '')::uuid`
    /// or `(SELECT current_setting('s', true)::integer)` give `s` and `uuid`/`integer`.
    static func contextRead(_ node: Any?) -> (setting: String, type: String?)? {
        guard let dict = node as? [String: Any] else { return nil }
        if let cast = dict["TypeCast"] as? [String: Any] {
            guard let inner = contextRead(cast["arg"]) else { return nil }
            return (inner.setting, typeName(cast["typeName"]) ?? inner.type)
        }
        if let link = dict["SubLink"] as? [String: Any], (link["subLinkType"] as? String) == "EXPR_SUBLINK",
           let select = (link["subselect"] as? [String: Any])?["SelectStmt"] as? [String: Any],
           let target = (select["targetList"] as? [[String: Any]])?.first?["ResTarget"] as? [String: Any] {
            return contextRead(target["val"])
        }
        if let coalesce = dict["CoalesceExpr"] as? [String: Any] { return (coalesce["args"] as? [Any])?.lazy.compactMap(contextRead).first }
        if let expr = dict["A_Expr"] as? [String: Any], (expr["kind"] as? String) == "AEXPR_NULLIF" { return contextRead(expr["lexpr"]) }
        guard let call = dict["FuncCall"] as? [String: Any], name(call["funcname"]) == "current_setting",
              let setting = literal((call["args"] as? [Any])?.first) else { return nil }
        return (setting, nil)
    }

    /// `f()` or `s.f()` with no argument, through casts and a scalar sub-select; not `current_setting`.
    static func contextCall(_ node: Any?) -> String? {
        guard let dict = node as? [String: Any] else { return nil }
        if let cast = dict["TypeCast"] as? [String: Any] { return contextCall(cast["arg"]) }
        if let link = dict["SubLink"] as? [String: Any], (link["subLinkType"] as? String) == "EXPR_SUBLINK",
           let select = (link["subselect"] as? [String: Any])?["SelectStmt"] as? [String: Any],
           let target = (select["targetList"] as? [[String: Any]])?.first?["ResTarget"] as? [String: Any] {
            return contextCall(target["val"])
        }
        guard let call = dict["FuncCall"] as? [String: Any], (call["args"] as? [Any] ?? []).isEmpty else { return nil }
        let parts = ((call["funcname"] as? [[String: Any]]) ?? []).compactMap { ($0["String"] as? [String: Any])?["sval"] as? String }
        guard !parts.isEmpty, parts.last != "current_setting" else { return nil }
        return parts.joined(separator: ".")
    }

    /// Operators that compare (a setting compared with a constant by one of them is a switch).
    static let comparisons: Set<String> = ["=", "<>", "!=", "<", ">", "<=", ">=", "~~", "!~~", "~~*", "!~~*"]

    /// The node under any casts.
    static func uncast(_ node: Any?) -> Any? {
        guard let cast = (node as? [String: Any])?["TypeCast"] as? [String: Any] else { return node }
        return uncast(cast["arg"])
    }

    /// The first `current_setting('name' …)` anywhere in the node.
    static func settingInside(_ node: Any?) -> String? {
        if let dict = node as? [String: Any] {
            if let call = dict["FuncCall"] as? [String: Any], name(call["funcname"]) == "current_setting" { return literal((call["args"] as? [Any])?.first) }
            return dict.values.lazy.compactMap(settingInside).first
        }
        return (node as? [Any])?.lazy.compactMap(settingInside).first
    }

    /// A cast's type as SQL spells it (`pg_catalog.int4` → `integer`).
    static func typeName(_ node: Any?) -> String? {
        let raw = name((node as? [String: Any])?["names"])
        guard !raw.isEmpty else { return nil }
        return ["int4": "integer", "int8": "bigint", "int2": "smallint", "bool": "boolean", "varchar": "character varying",
                "float8": "double precision", "float4": "real"][raw] ?? raw
    }

    static func columnName(_ node: Any?) -> String? {
        guard let dict = node as? [String: Any], let ref = dict["ColumnRef"] as? [String: Any] else { return nil }
        return name(ref["fields"])
    }

    mutating func walk(_ node: Any, inSubselect: Bool, underNullIf: Bool) {
        if let list = node as? [Any] {
            for item in list { walk(item, inSubselect: inSubselect, underNullIf: underNullIf) }
            return
        }
        guard let dict = node as? [String: Any] else { return }
        for (key, value) in dict {
            switch key {
            case "ColumnRef":
                if let column = Self.columnName(dict) { columns.insert(column) }
            case "FuncCall":
                let call = value as? [String: Any] ?? [:]
                let args = (call["args"] as? [Any])?.count ?? 0
                calls.append(Call(name: Self.name(call["funcname"]), arguments: args, inSubselect: inSubselect))
                walk(value, inSubselect: inSubselect, underNullIf: underNullIf)
            case "SubLink":
                walk(value, inSubselect: true, underNullIf: underNullIf)
            case "RangeVar":
                if let range = value as? [String: Any], let relation = range["relname"] as? String {
                    subselectRelations.append((range["schemaname"] as? String).map { $0 + "." + relation } ?? relation)
                }
            case "A_Expr":
                let expr = value as? [String: Any] ?? [:]
                if (expr["kind"] as? String) == "AEXPR_NULLIF" {
                    walk(value, inSubselect: inSubselect, underNullIf: true)
                    continue
                }
                if Self.name(expr["name"]) == "=" {
                    if let column = Self.columnName(expr["lexpr"]), let literal = Self.literal(expr["rexpr"]) { literalComparisons.append((column, literal)) }
                    if let column = Self.columnName(expr["rexpr"]), let literal = Self.literal(expr["lexpr"]) { literalComparisons.append((column, literal)) }
                    for (side, other) in [("lexpr", "rexpr"), ("rexpr", "lexpr")] {
                        if let column = Self.columnName(expr[side]), let read = Self.contextRead(expr[other]) {
                            contextComparisons.append((column, read.setting, read.type))
                        } else if let column = Self.columnName(expr[side]), let function = Self.contextCall(expr[other]) {
                            contextCalls.append((column, function))
                        }
                    }
                }
                if Self.name(expr["name"]) != "=" {
                    for (side, other) in [("lexpr", "rexpr"), ("rexpr", "lexpr")] {
                        if let column = Self.columnName(Self.uncast(expr[side])), let setting = Self.settingInside(expr[other]) {
                            contextMatches.append((column, setting))
                        }
                    }
                }
                // A comparison, not `||`: `current_setting('app.tenant_id', true) || '%'` builds a pattern.
                for (side, other) in [("lexpr", "rexpr"), ("rexpr", "lexpr")] where Self.comparisons.contains(Self.name(expr["name"])) {
                    if let setting = Self.settingName(expr[side]), Self.literal(expr[other]) != nil || (expr[other] as? [String: Any])?["List"] != nil {
                        settingSwitches.append(setting)
                    }
                }
                walk(value, inSubselect: inSubselect, underNullIf: underNullIf)
            case "TypeCast":
                let cast = value as? [String: Any] ?? [:]
                if !underNullIf, let arg = cast["arg"] as? [String: Any], let call = arg["FuncCall"] as? [String: Any],
                   Self.name(call["funcname"]) == "current_setting" {
                    let typeName = Self.name((cast["typeName"] as? [String: Any])?["names"])
                    if typeName != "text" { castWithoutEmptyHandling = true }
                }
                walk(value, inSubselect: inSubselect, underNullIf: underNullIf)
            case "BoolExpr":
                let expr = value as? [String: Any] ?? [:]
                if (expr["boolop"] as? String) == "OR_EXPR", let args = expr["args"] as? [Any] {
                    if args.contains(where: Self.isTrue) { trueBranch = true }
                    for arg in args {
                        if let test = (arg as? [String: Any])?["NullTest"] as? [String: Any], (test["nulltesttype"] as? String) == "IS_NULL",
                           Self.columnName(test["arg"]) == nil {
                            failOpen = true
                        }
                    }
                }
                walk(value, inSubselect: inSubselect, underNullIf: underNullIf)
            default:
                walk(value, inSubselect: inSubselect, underNullIf: underNullIf)
            }
        }
    }
}
