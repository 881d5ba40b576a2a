/// TW138: the effective predicate for an application role and command, as PostgreSQL combines the policies,
/// admits a row of another tenant while the session has a tenant, and no narrower rule (TW106, TW107, TW110)
/// says why: `tenant_id::text LIKE current_setting(…) || '%'`, a comparison the wrong way round, a `COALESCE`
/// that widens. Judged by the solver of `tenantwall prove`; the finding quotes the context and row.
public struct EffectivePredicateCrossesTenants: AuditRule {
    public let id = "TW138", name = "predicate-crosses-tenants", severity = Severity.error
    public let title = "effective predicate admits another tenant's row"
    public let explanation = "With a tenant in the session, the policies that apply to the role and command (permissive ORed, restrictive ANDed) still let a row of another tenant through; the witness is such a context and row."
    public init() {}
    public func check(_ input: AuditInput) -> [Finding] { input.semantic.findings(self) }
}
