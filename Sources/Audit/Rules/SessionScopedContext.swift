import PolicyGen

/// TW402: a session-scoped tenant context leaks across pooled transactions.
public struct SessionScopedContext: AuditRule {
    public let id = "TW402", name = "session-scoped-context", severity = Severity.warning
    public let title = "tenant context lasts for the session"
    public let explanation = "Behind a transaction pooler (PgBouncer), the next client on the connection inherits the previous tenant's context."
    public init() {}
    public func check(_ input: AuditInput) -> [Finding] {
        guard let spec = input.spec, spec.tenancy.scope == .session else { return [] }
        let at = spec.tenancy.location.map { FindingLocation.file($0.file, line: $0.line, column: $0.column) } ?? .object("spec", "tenancy")
        return [finding("tenancy.scope is 'session': set_tenant_context() outlives the transaction, so behind a transaction-mode pooler (PgBouncer pool_mode = transaction) the next client of the server connection acts as the previous tenant",
                        at: at, fix: "scope: transaction")]
    }
}
