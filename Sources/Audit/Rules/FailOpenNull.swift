/// TW108: `… IS NULL OR …`: a session without a tenant context is let in.
public struct FailOpenNull: AuditRule {
    public let id = "TW108", name = "fail-open-context", severity = Severity.error
    public let title = "predicate admits rows when the tenant context is missing"
    public let explanation = "An `IS NULL OR` branch on the context turns a missing context (a bug, a new code path, a pooled connection) into access to every tenant."
    public init() {}
    public func check(_ input: AuditInput) -> [Finding] {
        input.parsedPolicies.filter { $0.policy.permissive && (($0.using?.failOpen ?? false) || ($0.check?.failOpen ?? false)) }.map {
            finding("policy \($0.policy.name) on \($0.policy.table) grants rows when the context IS NULL: \(($0.using ?? $0.check)!.text)",
                    at: .object("policy", "\($0.policy.table).\($0.policy.name)"))
        }
    }
}
