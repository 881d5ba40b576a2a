import Foundation
import SQLParser

/// The columns a spec expression (`restrict`, an index `where`) names, read from PostgreSQL's own parse tree,
/// so that `check` reports a misspelt column at its line instead of `CREATE POLICY` failing at apply time.
public enum ExpressionColumns {
    public enum Result: Equatable {
        case columns([String])
        case invalid(String)
        /// It parses, but cannot be true or false for a row (a number, a string, arithmetic).
        case notACondition(String)
    }

    static let arithmetic: Set = ["+", "-", "*", "/", "%", "^", "||", "&", "|", "#", "<<", ">>"]

    /// Unqualified column references in `expression` (qualified ones name another relation and are left to the
    /// server), or why it does not parse as one expression.
    public static func read(_ expression: String) -> Result {
        let tree: String
        do { tree = try SQLParser.parseTree("SELECT (" + expression + ")") } catch let error as SQLParser.SyntaxError {
            return .invalid(error.message)
        } catch { return .invalid("\(error)") }
        guard let root = try? JSONSerialization.jsonObject(with: Data(tree.utf8)) else { return .invalid("unreadable parse tree") }
        // SELECT (expr): stmts[0].stmt.SelectStmt.targetList[0].ResTarget.val is the expression.
        let top = ((((((root as? [String: Any])?["stmts"] as? [[String: Any]])?.first?["stmt"] as? [String: Any])?["SelectStmt"] as? [String: Any])?["targetList"]
            as? [[String: Any]])?.first?["ResTarget"] as? [String: Any])?["val"] as? [String: Any]
        if let constant = top?["A_Const"] as? [String: Any], constant["boolval"] == nil, constant["isnull"] == nil {
            return .notACondition("'\(expression)' is a constant")
        }
        if let op = top?["A_Expr"] as? [String: Any], (op["kind"] as? String) == "AEXPR_OP",
           let name = ((op["name"] as? [[String: Any]])?.last?["String"] as? [String: Any])?["sval"] as? String, arithmetic.contains(name) {
            return .notACondition("'\(expression)' is arithmetic (\(name))")
        }
        var names: [String] = []
        func walk(_ node: Any) {
            if let object = node as? [String: Any] {
                if let ref = object["ColumnRef"] as? [String: Any], let fields = ref["fields"] as? [[String: Any]], fields.count == 1,
                   let name = (fields[0]["String"] as? [String: Any])?["sval"] as? String {
                    names.append(name)
                }
                object.values.forEach(walk)
            } else if let array = node as? [Any] {
                array.forEach(walk)
            }
        }
        walk(root)
        return .columns(names)
    }
}
