/// TW101: a table holding tenant rows with row-level security off: every role with a grant reads every tenant.
/// Not for the tables TimescaleDB allows no RLS on (a compressed hypertable, one under a continuous aggregate, a
/// materialization hypertable): TW137 judges who may read those, and their wall is a view.
public struct RLSDisabled: AuditRule {
    public let id = "TW101", name = "rls-disabled", severity = Severity.error
    public let title = "table with the tenant column has row-level security disabled"
    public let explanation = "Without RLS, any role granted SELECT reads every tenant's rows; the tenant column protects nothing."
    public init() {}
    public func check(_ input: AuditInput) -> [Finding] {
        input.protectedTables.filter { !$0.rls && $0.columns.contains(input.tenantColumn) && (input.catalog?.policies(on: $0).isEmpty ?? true)
            && !(input.catalog?.refusesRowSecurity($0.qualified) ?? false) }.map {
            finding("\($0.qualified) has '\(input.tenantColumn)' but row-level security is disabled", at: .object("table", $0.qualified),
                    fix: "ALTER TABLE \(Fix.table($0.qualified)) ENABLE ROW LEVEL SECURITY, FORCE ROW LEVEL SECURITY;")
        }
    }
}
