import Foundation

/// TW125: a function the application can call that sets a custom setting for the whole session: behind a
/// transaction pooler the tenant it sets serves the next client of the connection.
public struct SessionScopeSetter: AuditRule {
    public let id = "TW125", name = "session-scope-setter", severity = Severity.error
    public let title = "application can set a session-long context"
    public let explanation = "set_config(…, false) or SET without LOCAL keeps the value after the transaction; a pooled connection hands it to the next client, who then acts as the previous tenant."
    public init() {}

    /// `set_config(name, value, false)` with a value other than '' (clearing is harmless), or `SET app.x = …`.
    static let sessionSet = #"(set_config\s*\(\s*([^,()]+),\s*+(?!''\s*,)[^,()]+(\([^()]*\))?[^,()]*,\s*false\s*\)|\bSET\s+(SESSION\s+)?"?[a-z_][a-z0-9_]*"?\.[a-z_][a-z0-9_]*\s*(=|TO\b))"#

    public func check(_ input: AuditInput) -> [Finding] {
        guard let catalog = input.catalog else { return [] }
        return catalog.functions.compactMap { function in
            guard let body = function.body, body.range(of: Self.sessionSet, options: [.regularExpression, .caseInsensitive]) != nil else { return nil }
            let callers = function.executors.filter { $0 == "PUBLIC" || input.isApp($0) }
            guard !callers.isEmpty else { return nil }
            return finding("\(function.qualified)(\(function.signature)) sets a setting for the whole session and \(callers.sorted().joined(separator: ", ")) can call it: through a transaction-mode pooler the next client of the connection gets it",
                           at: .object("function", "\(function.qualified)(\(function.signature))"),
                           fix: "set_config(…, true) (transaction-local), or REVOKE EXECUTE ON FUNCTION \(Fix.table(function.qualified))(\(function.signature)) FROM \(callers.sorted().map { $0 == "PUBLIC" ? $0 : Fix.ident($0) }.joined(separator: ", "));")
        }
    }
}
