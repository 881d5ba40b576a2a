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
        let led = Set(catalog.indexes.filter { $0.columns.first == input.tenantColumn }.map(\.table))
        for p in input.parsedPolicies {
            guard let table = catalog.table(p.policy.table), table.columns.contains(input.tenantColumn),
                  (p.using?.columns.contains(input.tenantColumn) ?? false), seen.insert(table.qualified).inserted else { continue }
            if !led.contains(table.qualified) {
                out.append(finding("\(table.qualified): policies filter on \(input.tenantColumn) but no index leads with it", at: .object("table", table.qualified),
                                   fix: "CREATE INDEX CONCURRENTLY ON \(Fix.table(table.qualified)) (\(Fix.ident(input.tenantColumn)));"))
            }
        }
        return out
    }
}
