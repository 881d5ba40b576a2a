/// `isolation: tenant` tables: rows scoped by the tenant column. This file owns what such a table must have
/// (the tenant column, of `tenancy.type`) and may not (a unique index that does not lead with the tenant
/// column), with their diagnostics.
extension Table {
    /// The tenant column is present and of the tenancy's type.
    func checkTenantColumn(_ checks: inout SpecChecks) {
        let t = checks.tenancy
        if let column = column(t.column) {
            if !TypeName.matches(column.type, tenant: t.type) {
                checks.error("tenant column '\(t.column)' of '\(qualifiedName)' is '\(column.type)', but tenancy.type is '\(t.type.rawValue)'", column.location)
            }
        } else if !columns.isEmpty {
            checks.error("table '\(qualifiedName)' has isolation 'tenant' but no tenant column '\(t.column)'", location)
        }
    }

    /// A unique index must lead with the tenant column: a global unique key bypasses RLS (a duplicate
    /// error tells one tenant that another's key exists).
    func checkTenantUniqueIndex(_ index: Index, _ checks: inout SpecChecks) {
        let column = checks.tenancy.column
        guard isolation == .tenant, index.unique, let first = index.columns.first, first.name != column else { return }
        checks.error("a unique index on a tenant table must include '\(column)': a global unique key bypasses RLS and tells one tenant that another's key exists", index.location)
    }
}
