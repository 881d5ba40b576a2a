/// TW133: a restrictive policy on a Citus distributed table.
public struct CitusRestrictivePolicy: AuditRule {
    public let id = "TW133", name = "citus-restrictive-policy", severity = Severity.error
    public let title = "restrictive policy on a distributed table"
    public let explanation = "Citus (13.0.5, 14.0.1) creates a RESTRICTIVE policy on the shards as PERMISSIVE: its condition is ORed in and admits every row it matches, whatever the tenant. Fold the condition into each permissive policy (tenantwall does on Citus) and check the placements (verify's shard-placements)."
    public init() {}
    public func check(_ input: AuditInput) -> [Finding] {
        guard let catalog = input.catalog, !catalog.distributed.isEmpty else { return [] }
        return catalog.policies.filter { catalog.distributed.contains($0.table) && !$0.permissive }.map { policy in
            finding("policy \(policy.name) on \(policy.table) is RESTRICTIVE: on the shards Citus makes it PERMISSIVE, which opens the rows its condition matches",
                    at: .object("policy", "\(policy.table).\(policy.name)"), fix: "AND the condition into each permissive policy and drop \(policy.name)")
        }
    }
}
