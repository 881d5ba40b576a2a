/// `isolation: self`: the tenants table itself, keyed by the tenant's id. This file owns its `key` (the id
/// column, `id` by default), the check that the key column exists with the tenancy's type, and what a
/// non-admin role may write (its own row's INSERT and UPDATE, no more).
extension Table {
    static let tenantsKeyKey = SpecKey<Table>("key") { table, entry, reader in table.key = reader.string(entry.value, what: "key") }

    /// The key column is present and of the tenancy's type.
    func checkTenantsKey(_ checks: inout SpecChecks) {
        let t = checks.tenancy
        let key = self.key ?? "id"
        if let column = column(key) {
            if !TypeName.matches(column.type, tenant: t.type) {
                checks.error("key column '\(key)' of tenants table '\(qualifiedName)' is '\(column.type)', but tenancy.type is '\(t.type.rawValue)'", column.location)
            }
        } else { checks.requireColumn(key, "key", of: self, location) }
    }

    /// `key` names the tenants table's id column; on any other table it would be ignored.
    func checkKeyOnlyOnTenantsTable(_ checks: inout SpecChecks) {
        if isolation != .self, key != nil { checks.error("'key' applies only to isolation 'self'", location) }
    }

    /// A tenant may create and update its own row of the tenants table (a sign-up sets the new tenant's
    /// context first): the policy checks the row's key against the context, so no other row is reachable.
    /// DELETE stays the admin's.
    func tenantsTableWriteProblem(_ commands: [Command]) -> String? {
        guard commands.contains(where: { ![Command.select, .insert, .update].contains($0) }) else { return nil }
        return "'\(qualifiedName)' is \(isolation.rawValue): only the admin role may write to it (in admin mode), apart from INSERT and UPDATE of its own row"
    }
}
