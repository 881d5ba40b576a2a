import Foundation
import SQLParser

/// Why an expression could not be read: the construct, named, so the verdict says what to look at.
struct Unreadable: Error, CustomStringConvertible {
    var construct: String
    var description: String { "cannot read \(construct)" }
}

/// Reads a policy expression (as `pg_get_expr` prints it) from libpg_query's JSON parse tree into `Expr`.
///
/// Usage: `try ExprReader.read("\"tenant_id\" = current_setting('app.tenant_id')")`.
enum ExprReader {
    typealias Node = [String: Any]

    static func read(_ text: String) throws -> Expr {
        try readSelect("SELECT 1 WHERE (" + text + ")", clause: "whereClause")
    }

    /// Reads an SQL function body `SELECT <expr>` (one target, no FROM); nil when the body is not of that form.
    static func readBody(_ body: String) -> Expr? {
        try? readSelect(body.trimmingCharacters(in: .whitespacesAndNewlines.union(CharacterSet(charactersIn: ";"))), clause: nil)
    }

    private static func readSelect(_ sql: String, clause: String?) throws -> Expr {
        guard let json = try? SQLParser.parseTree(sql) else { throw Unreadable(construct: "the expression (syntax error)") }
        guard let root = try JSONSerialization.jsonObject(with: Data(json.utf8)) as? Node,
              let statements = root["stmts"] as? [Node], statements.count == 1,
              let select = (statements[0]["stmt"] as? Node)?["SelectStmt"] as? Node
        else { throw Unreadable(construct: "a statement that is not one SELECT") }
        if let clause {
            guard let node = select[clause] else { throw Unreadable(construct: "an empty expression") }
            return try expr(node)
        }
        guard let target = fromlessTarget(select) else { throw Unreadable(construct: "a function body that is not SELECT <expr>") }
        return try expr(target)
    }

    /// The one target of `SELECT <expr>` with no FROM, WHERE, GROUP BY or set operation.
    static func fromlessTarget(_ select: Node) -> Any? {
        let extra = ["fromClause", "whereClause", "groupClause", "havingClause", "larg", "sortClause", "limitCount",
                     "distinctClause", "withClause", "valuesLists"]
        guard extra.allSatisfy({ select[$0] == nil }), let targets = select["targetList"] as? [Node], targets.count == 1,
              let target = targets[0]["ResTarget"] as? Node else { return nil }
        return target["val"]
    }

    static func expr(_ any: Any?) throws -> Expr {
        guard let node = any as? Node, let (kind, body) = node.first, let fields = body as? Node else {
            throw Unreadable(construct: "an empty node")
        }
        switch kind {
        case "A_Const": return .literal(constant(fields))
        case "ColumnRef":
            guard let names = fields["fields"] as? [Node], let last = names.last?["String"] as? Node, let name = last["sval"] as? String
            else { throw Unreadable(construct: "a column reference with *") }
            return .column(name)
        case "ParamRef": return .parameter(fields["number"] as? Int ?? 0)
        case "TypeCast": return .cast(try expr(fields["arg"]), typeName(fields["typeName"]))
        case "BoolExpr":
            let args = try (fields["args"] as? [Any] ?? []).map(expr)
            switch fields["boolop"] as? String {
            case "AND_EXPR": return .and(args)
            case "OR_EXPR": return .or(args)
            default: return .not(args.first ?? .literal(.null))
            }
        case "NullTest": return .isNull(try expr(fields["arg"]), negated: fields["nulltesttype"] as? String == "IS_NOT_NULL")
        case "BooleanTest": return try booleanTest(fields)
        case "A_Expr": return try operatorExpr(fields, node: node)
        case "CoalesceExpr": return .coalesce(try (fields["args"] as? [Any] ?? []).map(expr))
        case "CaseExpr": return try caseExpr(fields)
        case "FuncCall": return try call(fields, node: node)
        case "SQLValueFunction": return try valueFunction(fields["op"] as? String ?? "", node: node)
        case "SubLink": return try subLink(fields, node: node)
        case "A_ArrayExpr": return opaque(node, what: "an array", isBool: false)
        case "NamedArgExpr": return .namedArgument(fields["name"] as? String ?? "", try expr(fields["arg"]))
        default: throw Unreadable(construct: "a \(kind) node")
        }
    }

    static func constant(_ fields: Node) -> Literal {
        if fields["isnull"] as? Bool == true { return .null }
        if let i = fields["ival"] as? Node { return .int(i["ival"] as? Int ?? 0) }
        if let s = fields["sval"] as? Node { return .string(s["sval"] as? String ?? "") }
        if let b = fields["boolval"] as? Node { return .bool(b["boolval"] as? Bool ?? false) }
        if let f = fields["fval"] as? Node { return .number(f["fval"] as? String ?? "0") }
        if let b = fields["bsval"] as? Node { return .number(b["bsval"] as? String ?? "") }
        return .null
    }

    /// The last part of a name list (`pg_catalog.=` → `=`), or every part.
    static func names(_ list: Any?) -> [String] {
        (list as? [Node] ?? []).compactMap { ($0["String"] as? Node)?["sval"] as? String }
    }

    static func typeName(_ node: Any?) -> String {
        let fields = node as? Node ?? [:]
        var name = names(fields["names"]).filter { $0 != "pg_catalog" }.joined(separator: ".")
        if fields["arrayBounds"] != nil { name += "[]" }
        return name
    }

    static func booleanTest(_ fields: Node) throws -> Expr {
        let arg = try expr(fields["arg"])
        switch fields["booltesttype"] as? String ?? "" {
        case "IS_TRUE": return .isValue(arg, .bool(true), negated: false)
        case "IS_NOT_TRUE": return .isValue(arg, .bool(true), negated: true)
        case "IS_FALSE": return .isValue(arg, .bool(false), negated: false)
        case "IS_NOT_FALSE": return .isValue(arg, .bool(false), negated: true)
        case "IS_UNKNOWN": return .isValue(arg, .null, negated: false)
        default: return .isValue(arg, .null, negated: true)
        }
    }

    static func caseExpr(_ fields: Node) throws -> Expr {
        let branches = try (fields["args"] as? [Node] ?? []).map { item -> CaseBranch in
            let when = item["CaseWhen"] as? Node ?? [:]
            return CaseBranch(condition: try expr(when["expr"]), result: try expr(when["result"]))
        }
        let subject = try fields["arg"].map { try expr($0) }
        let otherwise = try fields["defresult"].map { try expr($0) }
        return .caseWhen(subject: subject, branches: branches, otherwise: otherwise)
    }

    static func valueFunction(_ op: String, node: Node) throws -> Expr {
        switch op {
        case "SVFOP_CURRENT_USER", "SVFOP_CURRENT_ROLE", "SVFOP_USER": return .contextValue("current_user")
        case "SVFOP_SESSION_USER": return .contextValue("session_user")
        default: return .call([op.replacingOccurrences(of: "SVFOP_", with: "").lowercased()], [])
        }
    }

    static func call(_ fields: Node, node: Node) throws -> Expr {
        let name = names(fields["funcname"])
        guard fields["agg_star"] == nil, fields["over"] == nil, fields["agg_filter"] == nil else {
            throw Unreadable(construct: "the aggregate or window call \(name.joined(separator: "."))")
        }
        let args = try (fields["args"] as? [Any] ?? []).map(expr)
        let unqualified = name.filter { $0 != "pg_catalog" }
        if args.isEmpty, unqualified.count == 1, ["current_user", "current_role", "user"].contains(unqualified[0]) {
            return .contextValue("current_user")
        }
        if args.isEmpty, unqualified == ["session_user"] { return .contextValue("session_user") }
        return .call(unqualified, args)
    }

    static func subLink(_ fields: Node, node: Node) throws -> Expr {
        let select = (fields["subselect"] as? Node)?["SelectStmt"] as? Node ?? [:]
        switch fields["subLinkType"] as? String ?? "" {
        case "EXPR_SUBLINK":
            if let target = fromlessTarget(select) { return .scalarSelect(try expr(target)) }
            return opaque(node, what: "a sub-select", isBool: false)
        case "EXISTS_SUBLINK": return opaque(node, what: "an EXISTS sub-select", isBool: true)
        case "ANY_SUBLINK": return opaque(node, what: "an IN (SELECT …) sub-select", isBool: true)
        default: return opaque(node, what: "a sub-select", isBool: true)
        }
    }

    static func opaque(_ node: Node, what: String, isBool: Bool) -> Expr {
        .opaque(key: CanonicalTree.key(node), what: what, isBool: isBool, calls: calledFunctions(node))
    }

    /// Every function name called anywhere under a node.
    static func calledFunctions(_ any: Any) -> [[String]] {
        if let list = any as? [Any] { return list.flatMap(calledFunctions) }
        guard let node = any as? Node else { return [] }
        var found: [[String]] = []
        for (key, value) in node {
            if key == "FuncCall", let call = value as? Node { found.append(names(call["funcname"]).filter { $0 != "pg_catalog" }) }
            found += calledFunctions(value)
        }
        return found
    }
}
