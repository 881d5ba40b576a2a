import Quoting
/// Rollups (`rollups:`): each a materialized view in the private schema `<helper_schema>_rollups`, owned by
/// the owner and readable by nobody else, and a walled view of the same name in the rollup's schema that the
/// access roles read.
///
/// PostgreSQL applies no row-level security to a materialized view, so the wall is the view:
/// `WITH (security_barrier)` and `WHERE <tenant column> = <the tenant reader>` (or admin mode, as the source
/// table's own policies allow). The view runs as its owner, who may read the materialized view; the reader and
/// the admin-mode check run as the caller. The barrier keeps a caller's own (leaky) function from seeing a
/// row before the filter has dropped it.
///
/// `<helper_schema>.refresh_rollups()` refreshes them all, SECURITY DEFINER as the owner, whose
/// `tw_owner_all` policy (`roles.owner_access: all`) lets the query read every tenant's rows even though the
/// source forces RLS: a refresh always runs its query as the materialized view's owner, so without that
/// policy the result would be empty. EXECUTE goes to the owner and the admin role only: calling it reads
/// nothing, but a refresh locks and costs.
struct RollupStatements {
    let spec: Spec

    var helpers: String { spec.tenancy.helperSchema }
    var privateSchema: String { Rollup.privateSchema(tenancy: spec.tenancy) }
    var access: String { SQL.identList(uniqued(spec.roles.accessRoles)) }

    func materialized(_ rollup: Rollup) -> String { SQL.qualified(privateSchema, rollup.name) }

    /// The materialized view's query: the tenant column first, then the group keys, then the aggregates.
    func query(_ rollup: Rollup) -> String {
        // A walled hypertable's rows are read where they live (its name is a view, filtered for the caller).
        let parts = sourceTable(rollup)?.storage(tenancy: spec.tenancy) ?? rollup.sourceParts
        let source = SQL.qualified(parts.schema, parts.name)
        let tenant = SQL.ident(spec.tenancy.column)
        let keys = [tenant] + rollup.groupBy.map { "(\($0.expression)) AS \(SQL.ident($0.name))" }
        let outputs = keys + rollup.aggregates.map { "(\($0.expression)) AS \(SQL.ident($0.name))" }
        let positions = (1...keys.count).map(String.init).joined(separator: ", ")
        return "SELECT \(outputs.joined(separator: ", "))\n    FROM \(source)\n    GROUP BY \(positions)"
    }

    /// The walled view's filter: the source's SELECT policies for the access roles, as one condition.
    func predicate(_ rollup: Rollup) -> String {
        WallPredicate(spec: spec, source: sourceTable(rollup)).condition(requiredReader: false, restrict: false, adminCommand: .select)
    }

    func sourceTable(_ rollup: Rollup) -> Table? {
        spec.tables.first { $0.schema == rollup.sourceParts.schema && $0.name == rollup.sourceParts.name }
    }

    /// The roles granted SELECT on the walled view: those that may read the source.
    func readers(_ rollup: Rollup) -> [String] {
        let source = spec.tables.first { $0.schema == rollup.sourceParts.schema && $0.name == rollup.sourceParts.name }
        return uniqued((source?.grants ?? []).filter { $0.commands.contains(.select) }.map(\.role))
    }

    func statements() -> [Statement] {
        guard !spec.rollups.isEmpty else { return [] }
        return spec.rollups.flatMap(rollup) + refreshFunction()
    }

    func rollup(_ rollup: Rollup) -> [Statement] {
        let key = ObjectKey.rollup(rollup.qualifiedName)
        let mv = materialized(rollup), view = SQL.qualified(rollup.viewSchema, rollup.name)
        let query = query(rollup), stamp = "tenantwall rollup: " + query
        let columns = [spec.tenancy.column] + rollup.groupBy.map(\.name) + rollup.aggregates.map(\.name)
        let keys = [spec.tenancy.column] + rollup.groupBy.map(\.name)
        let readers = readers(rollup)
        var out = [
            Statement(key, "DO " + SQL.dollarQuoted("""

                BEGIN
                    IF pg_catalog.obj_description(pg_catalog.to_regclass(\(SQL.literal(mv))), 'pg_class') IS DISTINCT FROM \(SQL.literal(stamp)) THEN
                        DROP MATERIALIZED VIEW IF EXISTS \(mv) CASCADE;
                        CREATE MATERIALIZED VIEW \(mv) AS
                        \(query)
                        WITH NO DATA;
                        COMMENT ON MATERIALIZED VIEW \(mv) IS \(SQL.literal(stamp));
                        CREATE UNIQUE INDEX \(SQL.ident(rollup.name + "_key")) ON \(mv) (\(SQL.identList(keys)));
                    END IF;
                END

                """), comment: "\(rollup.qualifiedName): the rollup of \(rollup.source), grouped by \(spec.tenancy.column) first. Made again (and its walled view with it) only when its query changes; the comment holds the query it was made from.\nIts unique index (one row per tenant and group) is built while it is empty: refresh_rollups() refreshes CONCURRENTLY, so readers are never blocked."),
            Statement(key, "ALTER MATERIALIZED VIEW \(mv) OWNER TO \(SQL.ident(spec.roles.owner))"),
            Statement(key, "REVOKE ALL ON TABLE \(mv) FROM PUBLIC, \(access)",
                      comment: "No RLS applies to a materialized view: no access role may name it (its schema is closed to them too)."),
            Statement(key, "DO " + SQL.dollarQuoted("""

                BEGIN
                    IF NOT (SELECT relispopulated FROM pg_catalog.pg_class WHERE oid = \(SQL.literal(mv))::regclass) THEN
                        REFRESH MATERIALIZED VIEW \(mv);
                    END IF;
                END

                """), comment: "Filled once, as the owner (a refresh runs its query as the materialized view's owner)."),
            Statement(key, """
                CREATE OR REPLACE VIEW \(view) WITH (security_barrier) AS
                    SELECT \(SQL.identList(columns))
                    FROM \(mv)
                    WHERE \(predicate(rollup))
                """, comment: "The wall: each tenant reads its own rows of the rollup; no context, no rows."),
            Statement(key, "ALTER VIEW \(view) OWNER TO \(SQL.ident(spec.roles.owner))"),
            Statement(key, "REVOKE ALL ON TABLE \(view) FROM PUBLIC, \(access)"),
        ]
        if !readers.isEmpty {
            out.append(Statement(key, "GRANT SELECT ON TABLE \(view) TO \(SQL.identList(readers))",
                                 comment: "The roles that may read \(rollup.source)."))
        }
        return out
    }

    func refreshFunction() -> [Statement] {
        let function = SQL.qualified(helpers, "refresh_rollups")
        let body = spec.rollups.map { rollup -> String in
            let mv = materialized(rollup)
            return """
                    IF (SELECT relispopulated FROM pg_catalog.pg_class WHERE oid = \(SQL.literal(mv))::regclass) THEN
                        REFRESH MATERIALIZED VIEW CONCURRENTLY \(mv);
                    ELSE
                        REFRESH MATERIALIZED VIEW \(mv);
                    END IF;
                """
        }.joined(separator: "\n")
        let callers = SQL.identList(uniqued([spec.roles.owner, spec.roles.admin].filter { !$0.isEmpty }))
        return [
            Statement(.helpers, """
                CREATE OR REPLACE FUNCTION \(function)() RETURNS void
                    LANGUAGE plpgsql VOLATILE SECURITY DEFINER SET search_path = pg_catalog, pg_temp
                    AS \(SQL.dollarQuoted("\nBEGIN\n" + body + "\nEND\n"))
                """, comment: "Refreshes every rollup as the owner, which reads every tenant's rows (roles.owner_access: all). Returns nothing: a caller learns no row."),
            Statement(.helpers, "ALTER FUNCTION \(function)() OWNER TO \(SQL.ident(spec.roles.owner))"),
            Statement(.helpers, "REVOKE ALL ON FUNCTION \(function)() FROM PUBLIC, \(access)"),
            Statement(.helpers, "GRANT EXECUTE ON FUNCTION \(function)() TO \(callers)"),
        ]
    }
}
