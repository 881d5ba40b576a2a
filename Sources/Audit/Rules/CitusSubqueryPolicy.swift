/// TW132: a policy with a sub-select on a Citus distributed table.
public struct CitusSubqueryPolicy: AuditRule {
    public let id = "TW132", name = "citus-subquery-policy", severity = Severity.error
    public let title = "policy with a sub-select on a distributed table"
    public let explanation = "Citus rejects sub-selects in policies on distributed tables (\"unexpected non-SELECT command in SubLink\"): call the reader directly, tenant_id = current_tenant_id(); the workers inline it into an index condition."
    public init() {}
    public func check(_ input: AuditInput) -> [Finding] {
        guard let catalog = input.catalog, !catalog.distributed.isEmpty else { return [] }
        return catalog.policies.filter { catalog.distributed.contains($0.table) }.compactMap { policy in
            let text = [policy.using, policy.check].compactMap { $0 }.joined(separator: " ").lowercased()
            guard text.contains("select ") else { return nil }
            return finding("policy \(policy.name) on \(policy.table) has a sub-select, which Citus refuses on a distributed table",
                           at: .object("policy", "\(policy.table).\(policy.name)"), fix: "call the reader directly: tenant_id = current_tenant_id()")
        }
    }
}
