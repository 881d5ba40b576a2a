import PolicyGen

/// TW403: with the `context` binding, the application chooses its tenant: one SQL injection and it can choose any.
public struct ContextBindingTrustsApplication: AuditRule {
    public let id = "TW403", name = "context-binding-trusts-application", severity = Severity.info
    public let title = "the application role can choose any tenant"
    public let explanation = "With the context binding, any code that can run SQL on the application's connection can call set_tenant_context() for any tenant; the signed binding makes the database check a token instead."
    public init() {}
    public func check(_ input: AuditInput) -> [Finding] {
        guard let spec = input.spec, spec.tenancy.binding == .context else { return [] }
        let at = spec.tenancy.location.map { FindingLocation.file($0.file, line: $0.line, column: $0.column) } ?? .object("spec", "tenancy")
        return [finding("tenancy.binding is 'context': \(spec.roles.app) can set any tenant id; SQL injection in the application crosses every wall", at: at,
                        fix: "binding: signed (HS256 tokens checked by the database)")]
    }
}
