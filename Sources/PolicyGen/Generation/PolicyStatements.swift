import Quoting
/// Row-level security for one table: enabled and forced, one permissive policy per command with `USING` and
/// `WITH CHECK`, admin-mode policies for the admin role, the spec's restrictive predicate, and removal of
/// any other policy on the table (a hand-made `USING (true)` does not survive a run).
///
/// The tenant predicate is `column = (SELECT helpers.current_tenant_id())` with SQL readers: the sub-select
/// makes the context an InitPlan evaluated once per statement, and the comparison stays an index condition on
/// the tenant index. Tables here are partitioned by time, not tenant, so the sub-select form costs no partition
/// pruning. With the extension's native reader it is `column = helpers.current_tenant_id()`: the planner inlines
/// the SQL wrapper into a call of the C reader, an index condition evaluated once per scan (measured in the
/// server: +0.19 µs per lookup, against +0.50 µs for the same reader in a sub-select and +0.88 µs for the SQL
/// reader's; `scripts/bench-policy-cost.sh`). On Citus with the extension the policies call the C reader
/// itself (`Tenancy.shardPolicyReader` says why).
struct PolicyStatements {
    let spec: Spec
    let table: Table

    /// A policy as generated, before rendering: also what `plan` compares with the live catalog.
    struct Policy {
        var name: String
        var restrictive = false
        var command: Command?
        var roles: [String]
        var using: String?
        var check: String?
    }

    var relation: String { SQL.qualified(table.schema, table.name) }

    /// Whether the policy calls the reader directly rather than in a sub-select: with the native reader, except
    /// on hypertables. There the direct call let the planner pick the time index with a tenant filter on the
    /// newest chunk of `ORDER BY time DESC LIMIT` scans where the hand-written baseline (and the sub-select
    /// form, an InitPlan that ChunkAppend excludes chunks with at run time) use the tenant index: measured on
    /// the k8s example's `pod_metrics` (TimescaleDB 2.28.3), so hypertables keep the InitPlan.
    var directCall: Bool { spec.tenancy.citus || spec.tenancy.nativeReader && table.hypertable == nil }

    func policies() -> [Policy] {
        guard table.isolation != .exempt else { return [] }
        let helpers = spec.tenancy.helperSchema, r = spec.roles
        // On Citus a policy cannot hold a sub-select, and admin mode's log lives on the coordinator only (the
        // workers' backends and transaction times differ too): the admin role sees every tenant when the session
        // has taken it on (SET ROLE), not merely by inheriting it.
        let admin = spec.tenancy.citus ? "CURRENT_USER OPERATOR(pg_catalog.=) \(SQL.literal(r.admin))"
            : "(SELECT \(SQL.qualified(helpers, "admin_mode_enabled"))())"
        var out: [Policy] = []
        let nonAdmin = uniqued([r.app] + r.readonly).filter { $0 != r.admin }
        for command in Command.allCases {
            let roles = uniqued((nonAdmin + [r.admin]).filter { table.commands(for: $0).contains(command) })
            guard !roles.isEmpty else { continue }
            switch (table.isolation, table.scopeColumn(tenancy: spec.tenancy)) {
            case (.tenant, let scope?), (.self, let scope?):
                // tenancy.missing_context: error reads through a wrapper that raises, naming this table, when
                // there is no context (same plan shape: the wrapper is inlined around the same reader).
                let reader = spec.tenancy.missingContext == .error
                    ? SQL.qualified(helpers, "required_tenant_id") + "(\(SQL.literal(table.qualifiedName)))"
                    : spec.tenancy.shardPolicyReader ?? SQL.qualified(helpers, "current_tenant_id") + "()"
                let predicate = "\(SQL.ident(scope)) = " + (directCall ? reader : "(SELECT \(reader))")
                // The tenants table: a tenant reads and updates its own row; an application that signs tenants up
                // (INSERT granted) creates only the row of the tenant its context names. The admin writes it in
                // admin mode only.
                let tenantRoles = table.isolation != .self || command == .select || command == .update ? roles
                    : command == .insert ? roles.filter { $0 != r.admin } : []
                if !tenantRoles.isEmpty {
                    out.append(Policy(name: "tw_tenant_\(command.rawValue)", command: command, roles: tenantRoles,
                                      using: command == .insert ? nil : predicate,
                                      check: command == .select || command == .delete ? nil : predicate))
                }
            case (.shared, _):
                if command == .select {
                    out.append(Policy(name: "tw_shared_select", command: .select, roles: roles, using: "true", check: nil))
                }
            case (.tenant, nil), (.self, nil), (.exempt, _):
                break
            }
            if roles.contains(r.admin) && !(table.isolation == .shared && command == .select) {
                out.append(Policy(name: "tw_admin_\(command.rawValue)", command: command, roles: [r.admin],
                                  using: command == .insert ? nil : admin,
                                  check: command == .select || command == .delete ? nil : admin))
            }
        }
        if r.ownerAccess == .all {
            // FORCE binds the owner like everyone else; its jobs, refreshes and maintenance see every row through
            // this policy, which names no other role (members of the owner role inherit it: audit TW130).
            out.append(Policy(name: "tw_owner_all", command: nil, roles: [r.owner], using: "true", check: "true"))
        }
        if let restrict = table.restrict, spec.tenancy.citus {
            // Citus 13.0.5 creates a RESTRICTIVE policy on the shards as PERMISSIVE (checked: polpermissive is
            // true on every placement), which ORs the condition in and opens every row it admits. On Citus the
            // condition is folded into each permissive policy instead; verify compares the placements' policies.
            return out.map { policy in
                var policy = policy
                policy.using = policy.using.map { "(\($0)) AND (\(restrict))" }
                policy.check = policy.check.map { "(\($0)) AND (\(restrict))" }
                return policy
            }
        }
        if let restrict = table.restrict {
            let everyone = uniqued(table.grants.map(\.role).filter { !table.commands(for: $0).isEmpty })
            if !everyone.isEmpty {
                out.append(Policy(name: "tw_restrict", restrictive: true, command: nil, roles: everyone,
                                  using: "(\(restrict))", check: "(\(restrict))"))
            }
        }
        return out
    }

    func statements() -> [Statement] {
        let key = ObjectKey.rowSecurity(table.qualifiedName)
        guard table.isolation != .exempt else {
            return [Statement(key, "ALTER TABLE \(relation) NO FORCE ROW LEVEL SECURITY, DISABLE ROW LEVEL SECURITY",
                              comment: "\(table.qualifiedName) is exempt from RLS: \(table.reason ?? "")")]
        }
        var out = [Statement(key, "ALTER TABLE \(relation) ENABLE ROW LEVEL SECURITY, FORCE ROW LEVEL SECURITY",
                             comment: "\(table.qualifiedName): isolation \(table.isolation.rawValue); forced, so the owner is bound too.")]
        let policies = policies()
        let names = policies.map { SQL.literal($0.name) }.joined(separator: ", ")
        let keep = names.isEmpty ? "" : " AND polname <> ALL (ARRAY[\(names)]::name[])"
        out.append(Statement(.policies(table.qualifiedName), "DO " + SQL.dollarQuoted("""

            DECLARE
                stale name;
            BEGIN
                FOR stale IN SELECT polname FROM pg_catalog.pg_policy WHERE polrelid = \(SQL.literal(relation))::regclass\(keep) LOOP
                    EXECUTE pg_catalog.format('DROP POLICY %I ON %s', stale, \(SQL.literal(relation))::regclass);
                END LOOP;
            END

            """), comment: "Remove policies the spec does not name."))
        for policy in policies {
            out.append(Statement(.policies(table.qualifiedName), "DROP POLICY IF EXISTS \(SQL.ident(policy.name)) ON \(relation)"))
            out.append(Statement(.policies(table.qualifiedName), render(policy)))
        }
        return out
    }

    func render(_ p: Policy) -> String {
        var sql = "CREATE POLICY \(SQL.ident(p.name)) ON \(relation) AS \(p.restrictive ? "RESTRICTIVE" : "PERMISSIVE")"
        sql += " FOR \(p.command?.sql ?? "ALL") TO \(SQL.identList(p.roles))"
        if let using = p.using { sql += "\n    USING (\(using))" }
        if let check = p.check { sql += "\n    WITH CHECK (\(check))" }
        return sql
    }
}
