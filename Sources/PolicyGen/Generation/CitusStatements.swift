import Quoting
/// `tenancy.distribution: citus`: tenant tables, and the tenants table by its key, distributed by the tenant
/// column and colocated (Citus's default colocation groups tables of the same distribution type), so that a
/// tenant's rows of every table live on the same node and a query that names the tenant runs on one shard;
/// shared tables as reference tables, copied to every node; exempt tables left on the coordinator.
///
/// Each statement distributes a table once (a table already in `pg_dist_partition` is left alone), after it is
/// created and before its policies, which Citus then creates on every shard, as it does for later `CREATE
/// POLICY`, `ALTER TABLE … FORCE` and `GRANT` and for the shards that splits, moves and
/// `isolate_tenant_to_new_shard` create.
struct CitusStatements {
    let spec: Spec

    func statements() -> [Statement] {
        guard spec.tenancy.citus else { return [] }
        // The tenants table first: every tenant table then joins its colocation group.
        let ordered = spec.tables.filter { $0.isolation == .self } + spec.tables.filter { $0.isolation != .self }
        return ordered.compactMap { table in
            let regclass = SQL.regclass(table.schema, table.name)
            let call: String
            let comment: String
            if let column = table.citusDistributionColumn(tenancy: spec.tenancy) {
                call = "PERFORM create_distributed_table(\(regclass), \(SQL.literal(column)), colocate_with => 'default')"
                comment = "\(table.qualifiedName) distributed by \(column): a tenant's rows live on one shard, colocated with its other tables."
            } else if table.citusPlacement(tenancy: spec.tenancy) == .reference {
                call = "PERFORM create_reference_table(\(regclass))"
                comment = "\(table.qualifiedName) is shared: a reference table, copied to every node."
            } else {
                return nil
            }
            return Statement(.distribution(table.qualifiedName), "DO " + SQL.dollarQuoted("""

                BEGIN
                    IF NOT EXISTS (SELECT 1 FROM pg_catalog.pg_dist_partition WHERE logicalrelid = \(regclass)) THEN
                        \(call);
                    END IF;
                END

                """), comment: comment)
        }
    }
}

/// The tenant reader on Citus: PL/pgSQL, which the planner calls instead of inlining.
///
/// Citus sends every shard query to its worker as text, and the worker plans it each time (no plan cache for a
/// router task), under the shard's policies. A SQL reader is inlined at every one of those plans, and inlining
/// re-reads its body: parsed and analysed again for a quoted body (twice for the 0.4.0 reader over
/// `context_<type>()`), read back with `stringToNode` for a SQL-standard one (`RETURN …`), which measured little
/// cheaper. That, not RLS, was most of what RLS cost on the workers (issue #28; `scripts/bench-citus-cost.sh`:
/// `USING (true)` costs about what `BYPASSRLS` does). A PL/pgSQL function is compiled once per backend and
/// called once per shard query: the tenant's statement names its tenant (`WHERE tenant_id = $1`, which Citus
/// routes on), so the planner makes the policy's comparison a one-time filter (`current_tenant_id() = 3`) and
/// the index condition the query's own. A statement that fans out calls it per row where it filters, which
/// `fan_out` makes loud. The body is a single RETURN; the value is the one `context_<type>()` returns for the
/// setting: NULL when it is unset or empty, so a policy then matches no row. Citus creates the function on every
/// worker as it is. With the extension's helpers the policies call the C reader itself and this function is the
/// application's (Tenancy.shardPolicyReader); the solver reads its one RETURN of the C reader as that call.
extension CitusStatements {
    /// `CREATE OR REPLACE FUNCTION <schema>.current_tenant_id()`: inline helpers read the setting in the body
    /// itself; the extension's helpers call its native reader.
    static func reader(_ tenancy: Tenancy) -> String {
        let schema = tenancy.helperSchema, type = tenancy.type, setting = SQL.literal(tenancy.setting)
        let value: String
        switch tenancy.helpers {
        case .extension:
            value = tenancy.contextReaderCall
        case .inline:
            let read = "NULLIF(pg_catalog.current_setting(\(setting), true), '')"
            switch type {
            case .uuid: value = read + "::pg_catalog.uuid"
            case .bigint: value = read + "::pg_catalog.int8"
            case .integer: value = read + "::pg_catalog.int4"
            case .text: value = read
            }
        }
        return """
            CREATE OR REPLACE FUNCTION \(SQL.qualified(schema, "current_tenant_id"))() RETURNS \(type.rawValue)
                LANGUAGE plpgsql STABLE PARALLEL SAFE
                AS \(SQL.dollarQuoted(" BEGIN RETURN \(value); END "))
            """
    }

    /// `required_tenant_id(relation)` (`missing_context: error`) in the same form, for the same reason, over the
    /// C reader where the extension has one.
    static func requiredReader(_ tenancy: Tenancy, parallel: String) -> String {
        let schema = tenancy.helperSchema
        let tenant = tenancy.shardPolicyReader ?? "\(SQL.qualified(schema, "current_tenant_id"))()"
        let value = "COALESCE(\(tenant), \(SQL.qualified(schema, "missing_tenant_context"))(relation))"
        return """
            CREATE OR REPLACE FUNCTION \(SQL.qualified(schema, "required_tenant_id"))(relation text) RETURNS \(tenancy.type.rawValue)
                LANGUAGE plpgsql STABLE \(parallel)
                AS \(SQL.dollarQuoted(" BEGIN RETURN \(value); END "))
            """
    }
}

extension Tenancy {
    /// The reader the shards' policies call with the extension's helpers: its C reader itself, given the
    /// setting (`"tenantwall"."context_bigint"('app.current_tenant_id')`); nil with inline helpers.
    ///
    /// Not `current_tenant_id()`: its PL/pgSQL call, once per shard query, cost +2.9 µs of the worker's planning
    /// and +4.0 µs of execution per shard query on PostgreSQL 15 (`scripts/bench-citus-cost.sh`), where the C
    /// reader is a plain function call, never inlined, and reads the same setting, so the policies say exactly
    /// what the reader says (prove and audit read `current_tenant_id()` down to the same call).
    public var shardPolicyReader: String? { citus && helpers == .extension ? contextReaderCall : nil }

    /// The helpers' `context_<type>(setting)` for the spec's type and setting: the extension's C reader, or with
    /// inline helpers its SQL twin.
    var contextReaderCall: String { "\(SQL.qualified(helperSchema, "context_" + type.rawValue))(\(SQL.literal(setting)))" }
}
