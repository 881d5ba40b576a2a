import Quoting

/// The per-tenant change trail (`audit_trail:`): who changed which row of which tenant, with the old and new values
/// of the columns the spec names, written in the same transaction by a row trigger, in a table no access role and
/// not even the table owner may change.
///
/// - A NOLOGIN role of its own (`<owner>_trail`) owns the trail, its schema (`<helper_schema>_trail`: a schema's
///   owner may drop anything in it, and the helper schema is the table owner's) and its functions. Nobody is
///   granted it; the owner of the tenant tables holds no privilege on the trail.
/// - `change_trail` has RLS enabled and forced, with the same tenant SELECT policy the spec's tenant tables get
///   (`PolicyStatements`: each tenant reads its own entries, the admin all of them in admin mode) and a policy for
///   the trail role, which appends. The access roles get SELECT and nothing else.
/// - A BEFORE UPDATE OR DELETE row trigger and a BEFORE TRUNCATE trigger refuse every change, except the emptying of
///   values by `trail_redact` (`TrailFunctions`), so even a superuser's stray statement fails.
/// - Every trailed table gets an AFTER INSERT OR UPDATE OR DELETE row trigger (`TrailFunctions.append`).
/// - On Citus (`distribution: citus`) the trail is distributed by the tenant column, colocated with the tenant
///   tables, so a tenant's entries live on the node that holds its rows: the row trigger runs there, on the
///   shard, and appends to the colocated shard of the trail, and the per-tenant lock is that node's, which is
///   every writer of the tenant. Citus creates triggers on distributed tables only with
///   `citus.enable_unsafe_triggers`, set for the applying transaction alone (`SET LOCAL`); the triggers then fire
///   with it off. Citus propagates the role, the schema, the functions, the policies and the triggers to every
///   node and to the shards that moves and splits make.
struct TrailStatements {
    let spec: Spec

    var names: TrailNames { TrailNames(spec: spec) }
    var access: [String] { uniqued(spec.roles.accessRoles) }

    func statements() -> [Statement] {
        guard spec.hasTrail else { return [] }
        return role() + table() + distribution() + policies() + TrailFunctions(spec: spec).statements() + triggers()
    }

    func role() -> [Statement] {
        let role = SQL.literal(names.role)
        return [
            Statement(.trail, "DO " + SQL.dollarQuoted("""

                BEGIN
                    IF NOT EXISTS (SELECT 1 FROM pg_catalog.pg_roles WHERE rolname = \(role)) THEN
                        EXECUTE pg_catalog.format('CREATE ROLE %I NOLOGIN NOBYPASSRLS', \(role));
                    END IF;
                END

                """), comment: "The role that owns the change trail: NOLOGIN, granted to nobody, not the owner of the tenant tables."),
            Statement(.trail, "CREATE SCHEMA IF NOT EXISTS \(SQL.ident(names.schema)) AUTHORIZATION \(SQL.ident(names.role))"),
            Statement(.trail, "ALTER SCHEMA \(SQL.ident(names.schema)) OWNER TO \(SQL.ident(names.role))"),
            Statement(.trail, "REVOKE ALL ON SCHEMA \(SQL.ident(names.schema)) FROM PUBLIC"),
            Statement(.trail, "GRANT USAGE ON SCHEMA \(SQL.ident(names.schema)) TO \(SQL.identList(uniqued(access + [spec.roles.owner])))",
                      comment: "USAGE names the objects, nothing more. The table owner needs it (and EXECUTE on the append trigger function): TimescaleDB creates the row trigger on each new chunk as the hypertable's owner."),
        ]
    }

    func table() -> [Statement] {
        let tenant = SQL.ident(names.tenantColumn)
        return [
            Statement(.trail, """
                CREATE TABLE IF NOT EXISTS \(names.table) (
                    id bigint GENERATED ALWAYS AS IDENTITY\(citus ? "" : " PRIMARY KEY"),
                    \(tenant) \(names.tenantType) NOT NULL,
                    seq bigint NOT NULL,
                    at timestamptz NOT NULL,
                    acting_role name NOT NULL,
                    session_role name NOT NULL,
                    command text NOT NULL,
                    table_name text NOT NULL,
                    row_key jsonb NOT NULL,
                    old jsonb,
                    new jsonb,
                    values_hash bytea NOT NULL,
                    redacted_at timestamptz,
                    prev_hash bytea,
                    hash bytea NOT NULL,
                    UNIQUE (\(tenant), seq)\(citus ? ",\n    PRIMARY KEY (\(tenant), id)" : "")
                )
                """, comment: "One entry per change, chained per tenant: hash = sha256(prev_hash || the entry's canonical text), see TrailHash."),
            Statement(.trail, "ALTER TABLE \(names.table) OWNER TO \(SQL.ident(names.role))"),
            Statement(.trail, "REVOKE ALL ON TABLE \(names.table) FROM PUBLIC, \(SQL.ident(spec.roles.owner)), \(SQL.identList(access))"),
            Statement(.trail, "GRANT SELECT ON TABLE \(names.table) TO \(SQL.identList(access))",
                      comment: "The access roles read the trail (their tenant's entries, through the policies) and write nothing."),
            Statement(.trail, "ALTER TABLE \(names.table) ENABLE ROW LEVEL SECURITY, FORCE ROW LEVEL SECURITY"),
        ]
    }

    var citus: Bool { spec.tenancy.citus }

    /// Citus: the trail distributed by the tenant column in the tenant tables' colocation group, once; then
    /// triggers may be created on distributed tables for the rest of the applying transaction.
    func distribution() -> [Statement] {
        guard citus else { return [] }
        let regclass = SQL.literal(names.table)
        return [
            Statement(.trail, "DO " + SQL.dollarQuoted("""

                BEGIN
                    IF NOT EXISTS (SELECT 1 FROM pg_catalog.pg_dist_partition WHERE logicalrelid = \(regclass)::regclass) THEN
                        PERFORM create_distributed_table(\(regclass), \(SQL.literal(names.tenantColumn)), colocate_with => 'default');
                    END IF;
                END

                """), comment: "Citus: the trail distributed by \(names.tenantColumn), colocated with the tenant tables: a tenant's entries live on the node that holds its rows, where its row triggers run."),
            Statement(.trail, "SET LOCAL citus.enable_unsafe_triggers = on",
                      comment: "Citus creates triggers on distributed tables (the trail's guard, the tables' row triggers) only with this on; for this transaction alone: the triggers fire with it off."),
        ]
    }

    /// The trail as a spec table, for `PolicyStatements`: a tenant table the access roles may read.
    var trailTable: Table {
        Table(schema: names.schema, name: "change_trail", isolation: .tenant,
              columns: [Column(name: names.tenantColumn, type: names.tenantType)], grants: access.map { ($0, [Command.select]) })
    }

    func policies() -> [Statement] {
        let builder = PolicyStatements(spec: spec, table: trailTable)
        // The owner's `tw_owner_all` is left out: the table owner has no privilege on the trail.
        var policies = builder.policies().filter { $0.roles != [spec.roles.owner] }
        policies.append(.init(name: "tw_trail_append", command: nil, roles: [names.role], using: "true", check: "true"))
        let keep = policies.map { SQL.literal($0.name) }.joined(separator: ", ")
        var out = [Statement(.trail, "DO " + SQL.dollarQuoted("""

            DECLARE
                stale name;
            BEGIN
                FOR stale IN SELECT polname FROM pg_catalog.pg_policy WHERE polrelid = \(SQL.literal(names.table))::regclass AND polname <> ALL (ARRAY[\(keep)]::name[]) LOOP
                    EXECUTE pg_catalog.format('DROP POLICY %I ON %s', stale, \(SQL.literal(names.table))::regclass);
                END LOOP;
            END

            """), comment: "The trail's policies: a tenant reads its own entries (the tenant tables' predicate), the trail role appends.")]
        for policy in policies {
            out.append(Statement(.trail, "DROP POLICY IF EXISTS \(SQL.ident(policy.name)) ON \(names.table)"))
            out.append(Statement(.trail, builder.render(policy)))
        }
        return out
    }

    /// The row trigger on every trailed table (a walled hypertable's on its storage, where the rows are written),
    /// and none on the spec's other tables.
    func triggers() -> [Statement] {
        var out: [Statement] = []
        for table in spec.tables {
            let storage = table.storage(tenancy: spec.tenancy)
            let relation = SQL.qualified(storage.schema, storage.name)
            out.append(Statement(.trail, "DROP TRIGGER IF EXISTS \(SQL.ident(TrailNames.trigger)) ON \(relation)"))
            guard let columns = spec.trailColumns(table), let scoped = table.scoped(tenancy: spec.tenancy) else { continue }
            let arguments = [table.qualifiedName, scoped.column, String(table.primaryKey.count)] + table.primaryKey + columns
            out.append(Statement(.trail, """
                CREATE TRIGGER \(SQL.ident(TrailNames.trigger)) AFTER INSERT OR UPDATE OR DELETE ON \(relation)
                    FOR EACH ROW EXECUTE FUNCTION \(names.append)(\(arguments.map(SQL.literal).joined(separator: ", ")))
                """, comment: "\(table.qualifiedName): every change by an access role goes to the trail with \(columns.joined(separator: ", "))."))
        }
        return out
    }
}
