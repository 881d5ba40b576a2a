/// TW127: a unique index (or primary key) on a tenant table that does not include the tenant column. Unique
/// checks bypass RLS, so a duplicate-key error tells one tenant that another tenant's value exists. A key whose
/// columns the database generates (identity, a sequence default) is no oracle: nobody chooses the value.
public struct UniqueWithoutTenant: AuditRule {
    public let id = "TW127", name = "unique-without-tenant", severity = Severity.warning
    public let title = "unique key on a tenant table without the tenant column"
    public let explanation = "Uniqueness is checked across all rows, whatever the policies: inserting a value another tenant already has fails with 23505, which reveals that it exists (an existence oracle)."
    public init() {}
    public func check(_ input: AuditInput) -> [Finding] {
        guard let catalog = input.catalog else { return [] }
        let tables = Set(input.tenantTables.map(\.qualified))
        return catalog.indexes.filter { index in
            tables.contains(index.table) && index.shape.hasPrefix("CREATE UNIQUE") && !index.columns.contains(input.tenantColumn)
                && !(!index.columns.isEmpty && Set(index.columns).isSubset(of: catalog.table(index.table)?.generatedColumns ?? []))
        }.map { index in
            finding("unique index \(index.name) on \(index.table) (\(index.columns.joined(separator: ", "))) does not include \(input.tenantColumn)",
                    at: .object("index", index.name),
                    fix: "make it unique per tenant: (\(([input.tenantColumn] + index.columns).joined(separator: ", ")))")
        }
    }
}
