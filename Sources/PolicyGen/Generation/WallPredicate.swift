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
    func condition(requiredReader: Bool, restrict: Bool, adminCommand: Command? = nil) -> String {
        let reader = requiredReader && spec.tenancy.missingContext == .error && source != nil
            ? SQL.qualified(helpers, "required_tenant_id") + "(\(SQL.literal(source!.qualifiedName)))"
            : SQL.qualified(helpers, "current_tenant_id") + "()"
        var condition = "\(SQL.ident(spec.tenancy.column)) = (SELECT \(reader))"
        let adminCommands = spec.roles.hasAdmin ? source?.commands(for: spec.roles.admin) ?? [] : []
        if adminCommand.map(adminCommands.contains) ?? !adminCommands.isEmpty {
            // The CASE inside the sub-select: TimescaleDB's ChunkAppend evaluates a query's InitPlans when it starts,
            // so `CASE … THEN (SELECT admin_mode_enabled())` would read the admin log as any caller (42501).
            condition += " OR (SELECT CASE WHEN pg_catalog.pg_has_role(CURRENT_USER, \(SQL.literal(spec.roles.admin)), 'USAGE')"
                + " THEN \(SQL.qualified(helpers, "admin_mode_enabled"))() ELSE false END)"
        }
        if restrict, let filter = source?.restrict {
            condition = "(\(condition)) AND (\(filter))"
        }
        return condition
    }
}
