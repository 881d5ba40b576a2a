/// Checks that a spec-supplied SQL expression (a `restrict` predicate, a partial-index `where`) is one
/// expression and cannot end the statement it is placed in.
///
/// The server parses the expression when the policy or index is created; this check only makes sure that
/// what reaches the server is a single parenthesised expression: no `;` outside strings, quotes and
/// comments closed, parentheses balanced.
public enum ExpressionCheck {
    public static func problem(in expression: String) -> String? {
        let chars = Array(expression)
        if chars.allSatisfy({ $0.isWhitespace }) { return "the expression is empty" }
        var depth = 0, i = 0
        while i < chars.count {
            let c = chars[i]
            switch c {
            case "'", "\"":
                var j = i + 1
                while j < chars.count {
                    if chars[j] == c { if j + 1 < chars.count && chars[j + 1] == c { j += 2; continue }; break }
                    j += 1
                }
                if j >= chars.count { return "unterminated \(c == "'" ? "string" : "quoted identifier")" }
                i = j
            case "$":
                return "dollar quoting is not allowed in a spec expression"
            case "-" where i + 1 < chars.count && chars[i + 1] == "-":
                return "comments are not allowed in a spec expression"
            case "/" where i + 1 < chars.count && chars[i + 1] == "*":
                return "comments are not allowed in a spec expression"
            case ";":
                return "';' is not allowed: a predicate is one expression"
            case "(": depth += 1
            case ")":
                depth -= 1
                if depth < 0 { return "unbalanced ')'" }
            default: break
            }
            i += 1
        }
        return depth == 0 ? nil : "unbalanced '('"
    }
}
