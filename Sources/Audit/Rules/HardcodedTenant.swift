/// TW111: `tenant_id = '…'` in a policy: one tenant's id baked into the wall.
public struct HardcodedTenant: AuditRule {
    public let id = "TW111", name = "hardcoded-tenant", severity = Severity.warning
    public let title = "policy compares the tenant column with a literal"
    public let explanation = "A hard-coded tenant id is a back door for that tenant, or a test left in production."
    public init() {}
    public func check(_ input: AuditInput) -> [Finding] {
        input.parsedPolicies.compactMap { p in
            let literal = [p.using, p.check].compactMap { $0 }.flatMap(\.literalComparisons).first { $0.column == input.tenantColumn }
            guard let literal else { return nil }
            return finding("policy \(p.policy.name) on \(p.policy.table) compares \(literal.column) with the literal '\(literal.literal)'",
                           at: .object("policy", "\(p.policy.table).\(p.policy.name)"))
        }
    }
}
