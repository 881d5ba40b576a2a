import Quoting
/// The condition a wall view filters by: the tenant predicate a tenant table's policies use, OR-ed with admin
/// mode for the admin role's members, AND-ed with the table's `restrict`. One builder for every view that is a
/// wall (a rollup's, a walled hypertable's, a continuous aggregate's), so the three can never drift apart.
///
/// A policy `TO` the admin role is evaluated for that role only; a view's condition is evaluated for whoever
/// reads it, so admin mode is asked of the admin role's members only (`pg_has_role`), never of anyone else.
///
///     WallPredicate(spec: spec, source: table).condition(requiredReader: true, restrict: true)
struct WallPredicate {
    let spec: Spec
    /// The spec table whose rows the view shows (its grants decide admin mode, its `restrict` the extra filter).
    let source: Table?

    var helpers: String { spec.tenancy.helperSchema }

    /// - Parameters:
    ///   - requiredReader: with `tenancy.missing_context: error`, read the tenant through
    ///     `required_tenant_id('<schema.name>')`, which raises when there is no context (as the table's policies do).
    ///   - restrict: AND the table's `restrict` (only where the view shows the table's own columns).
    ///   - adminCommand: admin mode applies when the admin role holds this command on the source (nil: any).
    ///
    /// With admin mode the condition is `tenant_id = ANY (<the tenants the caller reaches>)`: the caller's own
    /// tenant, or every tenant of the tenants table for a member of the admin role in admin mode, read by
    /// `admin_tenant_ids()` as the caller (so through the tenants table's own policies). One sub-select, an
    /// InitPlan: the tenant column stays an index condition, as with `=`. The plain `tenant_id = (SELECT reader)
    /// OR (SELECT <admin mode>)` made the planner drop the tenant from every index condition: on the k8s example
    /// with 32 tenants, a tenant's `ORDER BY time DESC LIMIT 10` read 6,700 buffers in 101 ms against 160 in 8 ms
    /// (PostgreSQL 15.20, TimescaleDB 2.28.3). That form is kept only where the spec has no tenants table the
    /// admin role may read.
    func condition(requiredReader: Bool, restrict: Bool, adminCommand: Command? = nil) -> String {
        let reader = requiredReader && spec.tenancy.missingContext == .error && source != nil
            ? SQL.qualified(helpers, "required_tenant_id") + "(\(SQL.literal(source!.qualifiedName)))"
            : SQL.qualified(helpers, "current_tenant_id") + "()"
        let column = SQL.ident(spec.tenancy.column)
        var condition = "\(column) = (SELECT \(reader))"
        let adminCommands = spec.roles.hasAdmin ? source?.commands(for: spec.roles.admin) ?? [] : []
        if adminCommand.map(adminCommands.contains) ?? !adminCommands.isEmpty {
            let member = "pg_catalog.pg_has_role(CURRENT_USER, \(SQL.literal(spec.roles.admin)), 'USAGE')"
            let adminMode = SQL.qualified(helpers, "admin_mode_enabled") + "()"
            if Self.adminTenantsTable(spec) != nil {
                // Nested CASEs: admin_mode_enabled() is asked of the admin role's members only (it reads the admin
                // log, which no one else may), and AND does not promise an order.
                let own = "ARRAY[\(reader)]"
                condition = "\(column) = ANY ((SELECT CASE WHEN \(member) THEN CASE WHEN \(adminMode) THEN \(Self.adminTenantsFunction(spec))()"
                    + " ELSE \(own) END ELSE \(own) END)::\(spec.tenancy.type.rawValue)[])"
            } else {
                // The CASE inside the sub-select: TimescaleDB's ChunkAppend evaluates a query's InitPlans when it
                // starts, so `CASE … THEN (SELECT admin_mode_enabled())` would read the admin log as any caller.
                condition += " OR (SELECT CASE WHEN \(member) THEN \(adminMode) ELSE false END)"
            }
        }
        if restrict, let filter = source?.restrict {
            condition = "(\(condition)) AND (\(filter))"
        }
        return condition
    }

    /// The tenants table whose keys are every tenant an admin reaches in admin mode: the spec's `isolation: self`
    /// table, when the admin role may read it.
    static func adminTenantsTable(_ spec: Spec) -> Table? {
        guard spec.roles.hasAdmin else { return nil }
        return spec.tables.first { $0.isolation == .self && $0.scopeColumn(tenancy: spec.tenancy) != nil && $0.commands(for: spec.roles.admin).contains(.select) }
    }

    static func adminTenantsFunction(_ spec: Spec) -> String { SQL.qualified(spec.tenancy.helperSchema, "admin_tenant_ids") }

    /// `admin_tenant_ids()`, where a wall uses it: every key of the tenants table, read as the caller (SECURITY
    /// INVOKER), so the tenants table's own policies decide (its admin policy admits every row in admin mode
    /// only). Executable by every access role: PostgreSQL checks EXECUTE on each function of a view's condition
    /// when the query starts, in a CASE branch that never runs too; called directly, it returns only the tenants
    /// the caller may read anyway.
    static func adminTenantsStatements(_ spec: Spec, needed: Bool) -> [Statement] {
        guard needed, let tenants = adminTenantsTable(spec), let key = tenants.scopeColumn(tenancy: spec.tenancy) else { return [] }
        let function = adminTenantsFunction(spec)
        let access = SQL.identList(uniqued(spec.roles.accessRoles))
        return [
            Statement(.helpers, """
                CREATE OR REPLACE FUNCTION \(function)() RETURNS \(spec.tenancy.type.rawValue)[]
                    LANGUAGE sql STABLE SECURITY INVOKER SET search_path = pg_catalog, pg_temp
                    AS \(SQL.dollarQuoted("SELECT pg_catalog.array_agg(\(SQL.ident(key))) FROM \(SQL.qualified(tenants.schema, tenants.name))"))
                """, comment: "Every tenant, as the admin role's members reach them in admin mode (through \(tenants.qualifiedName)'s own policies): what a wall admits for them."),
            Statement(.helpers, "ALTER FUNCTION \(function)() OWNER TO \(SQL.ident(spec.roles.owner))"),
            Statement(.helpers, "REVOKE ALL ON FUNCTION \(function)() FROM PUBLIC, \(access)"),
            Statement(.helpers, "GRANT EXECUTE ON FUNCTION \(function)() TO \(access)"),
        ]
    }
}

extension Spec {
    /// The tenants table a wall reads, in admin mode, for every tenant (`admin_tenant_ids()`), when the spec has
    /// one the admin role may read: a tenant must have its row there for the admin to reach its rows through a
    /// wall, which is why verify writes its probe tenants there first.
    public var adminTenantsTable: Table? { WallPredicate.adminTenantsTable(self) }
}
