import Foundation

extension ExprReader {
    /// `A_Expr`: comparisons, `IN`, `= ANY`, `LIKE`, `BETWEEN`, `IS DISTINCT FROM`, `NULLIF`, `||`, and operators
    /// spelled `OPERATOR(pg_catalog.=)`. An operator the solver does not model becomes an opaque value.
    static func operatorExpr(_ fields: Node, node: Node) throws -> Expr {
        let op = names(fields["name"]).last ?? ""
        let kind = fields["kind"] as? String ?? ""
        let left = fields["lexpr"]
        let right = fields["rexpr"]
        switch kind {
        case "AEXPR_OP":
            if op == "||" { return .concat(try expr(left), try expr(right)) }
            if comparisons.contains(op) { return .compare(op, try expr(left), try expr(right)) }
            if let like = likeOperators[op] {
                return .like(try expr(left), try expr(right), caseInsensitive: like.insensitive, negated: like.negated)
            }
            if left == nil, op == "-", case .literal(.int(let n)) = try expr(right) { return .literal(.int(-n)) }
            return opaque(node, what: "the operator \(op)", isBool: booleanOperators.contains(op))
        case "AEXPR_OP_ANY", "AEXPR_OP_ALL":
            guard comparisons.contains(op) else {
                return opaque(node, what: "the operator \(op) \(kind == "AEXPR_OP_ANY" ? "ANY" : "ALL")", isBool: true)
            }
            if let list = arrayElements(right) { return .anyOf(op, try expr(left), try list.map(expr), all: kind == "AEXPR_OP_ALL") }
            return .anyArray(op, try expr(left), try arrayExpr(right), all: kind == "AEXPR_OP_ALL")
        case "AEXPR_IN":
            let items = (right as? Node)?["List"].flatMap { ($0 as? Node)?["items"] as? [Any] } ?? (right as? [Any] ?? [])
            return .anyOf(op, try expr(left), try items.map(expr), all: op == "<>")
        case "AEXPR_DISTINCT": return .distinct(try expr(left), try expr(right), negated: false)
        case "AEXPR_NOT_DISTINCT": return .distinct(try expr(left), try expr(right), negated: true)
        case "AEXPR_NULLIF": return .nullIf(try expr(left), try expr(right))
        case "AEXPR_LIKE", "AEXPR_ILIKE":
            let like = likeOperators[op] ?? (kind == "AEXPR_ILIKE", false)
            return .like(try expr(left), try expr(right), caseInsensitive: like.insensitive, negated: like.negated)
        case "AEXPR_BETWEEN", "AEXPR_NOT_BETWEEN":
            let bounds = (right as? [Any]) ?? ((right as? Node)?["List"] as? Node)?["items"] as? [Any] ?? []
            guard bounds.count == 2 else { throw Unreadable(construct: "a BETWEEN without two bounds") }
            return .between(try expr(left), try expr(bounds[0]), try expr(bounds[1]), negated: kind == "AEXPR_NOT_BETWEEN")
        default:
            return opaque(node, what: "the \(kind.replacingOccurrences(of: "AEXPR_", with: "")) operator \(op)", isBool: true)
        }
    }

    /// An array-valued expression: `ARRAY[…]` as a list, and the forms that choose or convert arrays (a cast,
    /// a scalar sub-select with no FROM, CASE) read through to them; anything else as any expression.
    static func arrayExpr(_ any: Any?) throws -> Expr {
        guard let node = any as? Node else { return try expr(any) }
        if let array = node["A_ArrayExpr"] as? Node { return .array(try (array["elements"] as? [Any] ?? []).map(expr)) }
        if let cast = node["TypeCast"] as? Node { return .cast(try arrayExpr(cast["arg"]), typeName(cast["typeName"])) }
        if let sub = node["SubLink"] as? Node, sub["subLinkType"] as? String == "EXPR_SUBLINK",
           let select = (sub["subselect"] as? Node)?["SelectStmt"] as? Node, let target = fromlessTarget(select) {
            return .scalarSelect(try arrayExpr(target))
        }
        if let fields = node["CaseExpr"] as? Node {
            let branches = try (fields["args"] as? [Node] ?? []).map { item -> CaseBranch in
                let when = item["CaseWhen"] as? Node ?? [:]
                return CaseBranch(condition: try expr(when["expr"]), result: try arrayExpr(when["result"]))
            }
            return .caseWhen(subject: try fields["arg"].map { try expr($0) }, branches: branches,
                             otherwise: try fields["defresult"].map { try arrayExpr($0) })
        }
        return try expr(node)
    }

    static let comparisons: Set<String> = ["=", "<>", "!=", "<", "<=", ">", ">="]
    static let booleanOperators: Set<String> = ["~", "~*", "!~", "!~*", "@>", "<@", "&&", "?", "?|", "?&", "@@", "@?"]
    static let likeOperators: [String: (insensitive: Bool, negated: Bool)] = [
        "~~": (false, false), "!~~": (false, true), "~~*": (true, false), "!~~*": (true, true),
    ]

    /// The elements of `ARRAY[…]` (also cast: `ARRAY['a','b']::text[]`, and `'{a,b}'::text[]`).
    static func arrayElements(_ any: Any?) -> [Any]? {
        guard let node = any as? Node else { return nil }
        if let array = node["A_ArrayExpr"] as? Node { return array["elements"] as? [Any] ?? [] }
        if let cast = node["TypeCast"] as? Node {
            let type = typeName(cast["typeName"]).replacingOccurrences(of: "[]", with: "")
            if let inner = arrayElements(cast["arg"]) {
                return inner.map { ["TypeCast": ["arg": $0, "typeName": ["names": [["String": ["sval": type]]]]]] as Node }
            }
            if let text = ((cast["arg"] as? Node)?["A_Const"] as? Node)?["sval"] as? Node, let raw = text["sval"] as? String,
               raw.hasPrefix("{"), raw.hasSuffix("}"), !raw.contains("\"") {
                let items = raw.dropFirst().dropLast().split(separator: ",", omittingEmptySubsequences: true)
                return items.map { item -> Node in
                    let constant: Node = ["A_Const": ["sval": ["sval": item.trimmingCharacters(in: .whitespaces)]]]
                    return ["TypeCast": ["arg": constant, "typeName": ["names": [["String": ["sval": type]]]]]]
                }
            }
        }
        return nil
    }
}

/// A parse tree as a key: JSON with sorted keys and every `location` removed, so the same expression written at
/// another place (or on the other side of a review) is the same key.
enum CanonicalTree {
    static func key(_ node: Any) -> String {
        let stripped = strip(node)
        guard let data = try? JSONSerialization.data(withJSONObject: stripped, options: [.sortedKeys]) else { return "\(stripped)" }
        return String(decoding: data, as: UTF8.self)
    }

    static func strip(_ node: Any) -> Any {
        if let dict = node as? [String: Any] {
            var out: [String: Any] = [:]
            for (key, value) in dict where key != "location" && key != "stmt_location" && key != "stmt_len" {
                out[key] = strip(value)
            }
            return out
        }
        if let list = node as? [Any] { return list.map(strip) }
        return node
    }
}
