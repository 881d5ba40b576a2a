/// TW203: the column a policy filters on has no index that leads with it.
public struct PolicyColumnNotIndexed: AuditRule {
    public let id = "TW203", name = "policy-column-not-indexed", severity = Severity.warning
    public let title = "policy column without a leading index"
    public let explanation = "Every query pays the policy's filter; without an index that leads with the column, that filter is a scan of every tenant's rows."
    public init() {}
    public func check(_ input: AuditInput) -> [Finding] {
        guard let catalog = input.catalog else { return [] }
        var out: [Finding] = []
        var seen: Set<String> = []
        for p in input.parsedPolicies {
            guard let table = catalog.table(p.policy.table), table.columns.contains(input.tenantColumn),
                  (p.using?.columns.contains(input.tenantColumn) ?? false), seen.insert(table.qualified).inserted else { continue }
            let leading = catalog.indexes.contains { $0.table == table.qualified && $0.columns.first == input.tenantColumn }
            if !leading {
                out.append(finding("\(table.qualified): policies filter on \(input.tenantColumn) but no index leads with it", at: .object("table", table.qualified),
                                   fix: "CREATE INDEX CONCURRENTLY ON \(Fix.table(table.qualified)) (\(Fix.ident(input.tenantColumn)));"))
            }
        }
        return out
    }
}
