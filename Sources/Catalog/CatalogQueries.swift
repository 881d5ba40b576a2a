/// The catalog queries behind `DatabaseCatalog` (its rows become values in `CatalogQueries+Decoding.swift`).
/// Each reads one kind of object database-wide in one set-based query; a list per object is aggregated into
/// one PostgreSQL array field, which quotes what needs quoting.
public enum CatalogQueries {
    static let userSchemas = "n.nspname NOT IN ('pg_catalog', 'information_schema') AND n.nspname NOT LIKE 'pg\\_toast%' AND n.nspname NOT LIKE 'pg\\_temp%'"

    public static let tables = """
        SELECT c.oid::text AS oid, n.nspname AS schema, c.relname AS name, c.relkind::text AS kind, c.relrowsecurity::text AS rls,
               c.relforcerowsecurity::text AS forced, pg_catalog.pg_get_userbyid(c.relowner) AS owner,
               (SELECT pn.nspname || '.' || p.relname FROM pg_catalog.pg_inherits AS i JOIN pg_catalog.pg_class AS p ON p.oid = i.inhparent
                JOIN pg_catalog.pg_namespace AS pn ON pn.oid = p.relnamespace WHERE i.inhrelid = c.oid ORDER BY i.inhseqno LIMIT 1) AS parent,
               (SELECT pg_catalog.array_agg(pn.nspname || '.' || p.relname ORDER BY i.inhseqno) FROM pg_catalog.pg_inherits AS i
                JOIN pg_catalog.pg_class AS p ON p.oid = i.inhparent JOIN pg_catalog.pg_namespace AS pn ON pn.oid = p.relnamespace
                WHERE i.inhrelid = c.oid)::text AS parents,
               (SELECT pg_catalog.array_agg(a.attname::text ORDER BY a.attnum) FROM pg_catalog.pg_attribute AS a
                WHERE a.attrelid = c.oid AND a.attnum > 0 AND NOT a.attisdropped)::text AS columns,
               (SELECT pg_catalog.array_agg(CASE WHEN x.grantee = 0 THEN 'PUBLIC' ELSE pg_catalog.pg_get_userbyid(x.grantee) END || ':' || x.privilege_type)
                FROM pg_catalog.aclexplode(c.relacl) AS x)::text AS grants,
               c.reloptions::text AS options,
               (SELECT pg_catalog.array_agg(CASE WHEN x.grantee = 0 THEN 'PUBLIC' ELSE pg_catalog.pg_get_userbyid(x.grantee) END)
                FROM pg_catalog.aclexplode(COALESCE(n.nspacl, pg_catalog.acldefault('n', n.nspowner))) AS x WHERE x.privilege_type = 'USAGE')::text AS schema_users,
               (SELECT pg_catalog.array_agg(DISTINCT CASE WHEN x.grantee = 0 THEN 'PUBLIC' ELSE pg_catalog.pg_get_userbyid(x.grantee) END || ':' || x.privilege_type)
                FROM pg_catalog.pg_attribute AS a CROSS JOIN LATERAL pg_catalog.aclexplode(a.attacl) AS x
                WHERE a.attrelid = c.oid AND a.attnum > 0 AND NOT a.attisdropped AND a.attacl IS NOT NULL)::text AS column_grants,
               (SELECT pg_catalog.array_agg(pg_catalog.format_type(a.atttypid, a.atttypmod) ORDER BY a.attnum) FROM pg_catalog.pg_attribute AS a
                WHERE a.attrelid = c.oid AND a.attnum > 0 AND NOT a.attisdropped)::text AS column_types,
               (SELECT pg_catalog.array_agg(a.attnotnull ORDER BY a.attnum) FROM pg_catalog.pg_attribute AS a
                WHERE a.attrelid = c.oid AND a.attnum > 0 AND NOT a.attisdropped)::text AS not_null,
               (SELECT pg_catalog.array_agg(a.attname::text ORDER BY a.attnum) FROM pg_catalog.pg_attribute AS a
                LEFT JOIN pg_catalog.pg_attrdef AS d ON d.adrelid = a.attrelid AND d.adnum = a.attnum
                WHERE a.attrelid = c.oid AND a.attnum > 0 AND NOT a.attisdropped
                  AND (a.attidentity <> '' OR pg_catalog.pg_get_expr(d.adbin, d.adrelid) LIKE 'nextval(%'))::text AS generated_columns,
               c.relispartition::text AS is_partition, c.relacl::text AS acl, c.relnamespace::pg_catalog.regnamespace::text AS quoted_schema,
               CASE WHEN c.relkind IN ('v', 'm') THEN pg_catalog.pg_get_viewdef(c.oid) END AS definition,
               c.relispopulated::text AS populated, pg_catalog.obj_description(c.oid, 'pg_class') AS comment
        FROM pg_catalog.pg_class AS c JOIN pg_catalog.pg_namespace AS n ON n.oid = c.relnamespace
        WHERE c.relkind IN ('r', 'p', 'v', 'm', 'f') AND \(userSchemas)
        """

    public static let policies = """
        SELECT n.nspname || '.' || c.relname AS "table", p.polname AS name, p.polpermissive::text AS permissive, p.polcmd::text AS command,
               (SELECT pg_catalog.array_agg(CASE WHEN r = 0 THEN 'public' ELSE pg_catalog.pg_get_userbyid(r) END) FROM unnest(p.polroles) AS r)::text AS roles,
               pg_catalog.pg_get_expr(p.polqual, p.polrelid) AS using, pg_catalog.pg_get_expr(p.polwithcheck, p.polrelid) AS "check"
        FROM pg_catalog.pg_policy AS p JOIN pg_catalog.pg_class AS c ON c.oid = p.polrelid JOIN pg_catalog.pg_namespace AS n ON n.oid = c.relnamespace
        """

    public static let roles = """
        SELECT r.rolname AS name, r.rolsuper::text AS superuser, r.rolbypassrls::text AS bypassrls,
               (SELECT pg_catalog.array_agg(b.rolname::text) FROM pg_catalog.pg_roles AS b
                WHERE (b.rolsuper OR b.rolbypassrls) AND b.oid <> r.oid AND pg_catalog.pg_has_role(r.oid, b.oid, 'MEMBER'))::text AS bypass_memberships,
               (r.rolcanlogin AND r.rolconnlimit <> 0)::text AS can_login,
               (SELECT pg_catalog.array_agg(b.rolname::text) FROM pg_catalog.pg_roles AS b
                WHERE b.oid <> r.oid AND b.rolname !~ '^pg_' AND pg_catalog.pg_has_role(r.oid, b.oid, 'MEMBER'))::text AS member_of,
               r.rolcanlogin::text AS login, r.rolconnlimit::text AS connection_limit,
               (SELECT pg_catalog.array_agg(b.rolname::text ORDER BY b.rolname) FROM pg_catalog.pg_auth_members AS m
                JOIN pg_catalog.pg_roles AS b ON b.oid = m.roleid WHERE m.member = r.oid)::text AS granted_roles
        FROM pg_catalog.pg_roles AS r WHERE r.rolname !~ '^pg_'
        """

    public static let functions = """
        SELECT n.nspname AS schema, p.proname AS name, pg_catalog.pg_get_function_identity_arguments(p.oid) AS signature,
               p.prosecdef::text AS security_definer, p.proconfig::text AS config, p.proleakproof::text AS leakproof,
               p.provolatile::text AS volatility, p.proparallel::text AS parallel, pg_catalog.pg_get_userbyid(p.proowner) AS owner,
               (SELECT pg_catalog.array_agg(CASE WHEN x.grantee = 0 THEN 'PUBLIC' ELSE pg_catalog.pg_get_userbyid(x.grantee) END)
                FROM pg_catalog.aclexplode(COALESCE(p.proacl, pg_catalog.acldefault('f', p.proowner))) AS x WHERE x.privilege_type = 'EXECUTE')::text AS executors,
               CASE WHEN l.lanname IN ('sql', 'plpgsql') THEN p.prosrc END AS body,
               (l.lanname = 'c' AND EXISTS (SELECT 1 FROM pg_catalog.pg_depend AS d JOIN pg_catalog.pg_extension AS e ON e.oid = d.refobjid
                                            WHERE d.classid = 'pg_catalog.pg_proc'::regclass AND d.objid = p.oid AND d.deptype = 'e'
                                              AND e.extname = 'tenantwall'))::text AS native,
               p.oid::pg_catalog.regprocedure::text AS identity, pg_catalog.pg_get_functiondef(p.oid) AS definition, p.proacl::text AS acl,
               (SELECT pg_catalog.array_agg(CASE WHEN tn.nspname = 'pg_catalog' THEN pg_catalog.format_type(t.oid, NULL) ELSE tn.nspname || '.' || t.typname END
                                            ORDER BY k.ord)
                FROM unnest(p.proargtypes) WITH ORDINALITY AS k(type, ord) JOIN pg_catalog.pg_type AS t ON t.oid = k.type
                JOIN pg_catalog.pg_namespace AS tn ON tn.oid = t.typnamespace)::text AS argument_types
        FROM pg_catalog.pg_proc AS p JOIN pg_catalog.pg_language AS l ON l.oid = p.prolang JOIN pg_catalog.pg_namespace AS n ON n.oid = p.pronamespace
        WHERE \(userSchemas) AND p.prokind IN ('f', 'p')
          AND NOT EXISTS (SELECT 1 FROM pg_catalog.pg_depend AS d WHERE d.objid = p.oid AND d.deptype = 'e' AND d.classid = 'pg_catalog.pg_proc'::regclass
                          AND d.refobjid NOT IN (SELECT oid FROM pg_catalog.pg_extension WHERE extname = 'tenantwall'))
        ORDER BY p.proname, p.oid::pg_catalog.regprocedure::text
        """

    public static let dependencies = """
        SELECT DISTINCT vn.nspname || '.' || v.relname AS view, tn.nspname || '.' || t.relname AS "table"
        FROM pg_catalog.pg_depend AS d JOIN pg_catalog.pg_rewrite AS r ON r.oid = d.objid
        JOIN pg_catalog.pg_class AS v ON v.oid = r.ev_class JOIN pg_catalog.pg_namespace AS vn ON vn.oid = v.relnamespace
        JOIN pg_catalog.pg_class AS t ON t.oid = d.refobjid JOIN pg_catalog.pg_namespace AS tn ON tn.oid = t.relnamespace
        WHERE d.classid = 'pg_catalog.pg_rewrite'::regclass AND d.refclassid = 'pg_catalog.pg_class'::regclass
          AND v.oid <> t.oid AND v.relkind IN ('v', 'm') AND t.relkind IN ('r', 'p')
        """

    public static let triggers = """
        SELECT n.nspname || '.' || c.relname AS "table", t.tgname AS name, p.oid::regprocedure::text AS function,
               pg_catalog.pg_get_userbyid(p.proowner) AS function_owner, p.prosecdef::text AS security_definer
        FROM pg_catalog.pg_trigger AS t JOIN pg_catalog.pg_class AS c ON c.oid = t.tgrelid JOIN pg_catalog.pg_namespace AS n ON n.oid = c.relnamespace
        JOIN pg_catalog.pg_proc AS p ON p.oid = t.tgfoid
        WHERE NOT t.tgisinternal AND \(userSchemas)
        """

    public static let indexes = """
        SELECT n.nspname || '.' || c.relname AS "table", i.relname AS name,
               (SELECT pg_catalog.array_agg(COALESCE(a.attname::text, '(expression)') ORDER BY k.ord) FROM unnest(x.indkey) WITH ORDINALITY AS k(attnum, ord)
                LEFT JOIN pg_catalog.pg_attribute AS a ON a.attrelid = c.oid AND a.attnum = k.attnum)::text AS columns,
               pg_catalog.regexp_replace(pg_catalog.pg_get_indexdef(x.indexrelid), '^CREATE (UNIQUE )?INDEX \\S+ ON ', 'CREATE \\1INDEX ON ') AS shape,
               pg_catalog.pg_get_indexdef(x.indexrelid) AS definition, x.indisvalid::text AS valid, (x.indpred IS NOT NULL)::text AS partial
        FROM pg_catalog.pg_index AS x JOIN pg_catalog.pg_class AS i ON i.oid = x.indexrelid JOIN pg_catalog.pg_class AS c ON c.oid = x.indrelid
        JOIN pg_catalog.pg_namespace AS n ON n.oid = c.relnamespace
        WHERE \(userSchemas)
        """

    /// Foreign keys: the referencing table, the constraint, the referenced table, and the columns on each side.
    public static let foreignKeys = """
        SELECT n.nspname || '.' || c.relname AS "table", k.conname AS name, rn.nspname || '.' || r.relname AS "references",
               (SELECT pg_catalog.array_agg(a.attname::text ORDER BY u.ord) FROM unnest(k.conkey) WITH ORDINALITY AS u(attnum, ord)
                JOIN pg_catalog.pg_attribute AS a ON a.attrelid = k.conrelid AND a.attnum = u.attnum)::text AS columns,
               (SELECT pg_catalog.array_agg(a.attname::text ORDER BY u.ord) FROM unnest(k.confkey) WITH ORDINALITY AS u(attnum, ord)
                JOIN pg_catalog.pg_attribute AS a ON a.attrelid = k.confrelid AND a.attnum = u.attnum)::text AS referenced_columns
        FROM pg_catalog.pg_constraint AS k JOIN pg_catalog.pg_class AS c ON c.oid = k.conrelid JOIN pg_catalog.pg_namespace AS n ON n.oid = c.relnamespace
        JOIN pg_catalog.pg_class AS r ON r.oid = k.confrelid JOIN pg_catalog.pg_namespace AS rn ON rn.oid = r.relnamespace
        WHERE k.contype = 'f' AND \(userSchemas)
        """

    /// Default privileges for tables: who sets them (and in which schema), and who receives what.
    public static let defaultPrivileges = """
        SELECT pg_catalog.pg_get_userbyid(d.defaclrole) AS owner, COALESCE(n.nspname, '') AS schema,
               CASE WHEN x.grantee = 0 THEN 'PUBLIC' ELSE pg_catalog.pg_get_userbyid(x.grantee) END AS grantee, x.privilege_type AS privilege
        FROM pg_catalog.pg_default_acl AS d LEFT JOIN pg_catalog.pg_namespace AS n ON n.oid = d.defaclnamespace
        CROSS JOIN LATERAL pg_catalog.aclexplode(d.defaclacl) AS x
        WHERE d.defaclobjtype = 'r' AND x.grantee <> d.defaclrole
        """

    /// Schemas outside PostgreSQL's own: owner and ACL.
    public static let schemas = """
        SELECT n.nspname AS name, pg_catalog.pg_get_userbyid(n.nspowner) AS owner, n.nspacl::text AS acl
        FROM pg_catalog.pg_namespace AS n WHERE \(userSchemas)
        """

    public static let eventTriggers = """
        SELECT e.evtname AS name, e.evtenabled::text AS enabled, e.evtfoid::pg_catalog.regproc::text AS function FROM pg_catalog.pg_event_trigger AS e
        """

    /// Column-level privileges: per table and grantee, the columns in their order; rows in the server's order of
    /// grantees (its collation), which plan's fingerprints keep.
    public static let columnPrivileges = """
        SELECT n.nspname || '.' || c.relname AS "table",
               CASE WHEN x.grantee = 0 THEN 'PUBLIC' ELSE pg_catalog.pg_get_userbyid(x.grantee) END || ':' || x.privilege_type AS grantee,
               pg_catalog.array_agg(a.attname::text ORDER BY a.attnum)::text AS columns
        FROM pg_catalog.pg_class AS c JOIN pg_catalog.pg_namespace AS n ON n.oid = c.relnamespace
        JOIN pg_catalog.pg_attribute AS a ON a.attrelid = c.oid CROSS JOIN LATERAL pg_catalog.aclexplode(a.attacl) AS x
        WHERE c.relkind IN ('r', 'p', 'v', 'm', 'f') AND a.attnum > 0 AND NOT a.attisdropped AND a.attacl IS NOT NULL AND \(userSchemas)
        GROUP BY 1, 2 ORDER BY 1, 2
        """

    /// Installed extensions and their schemas.
    public static let extensions = """
        SELECT e.extname AS name, n.nspname AS schema FROM pg_catalog.pg_extension AS e JOIN pg_catalog.pg_namespace AS n ON n.oid = e.extnamespace
        """

    /// Every query `catalog(_:)` decodes, in its order.
    public static let all = [tables, policies, roles, functions, dependencies, triggers, indexes, foreignKeys, defaultPrivileges,
                             schemas, eventTriggers, columnPrivileges, extensions]

    /// Whether TimescaleDB is installed; only then can `hypertables` run (its catalog schema exists).
    public static let timescaleInstalled = "SELECT EXISTS (SELECT 1 FROM pg_catalog.pg_extension WHERE extname = 'timescaledb')::text"

    /// Hypertables, qualified: their inheritance children are chunks.
    public static let hypertables = "SELECT schema_name || '.' || table_name FROM _timescaledb_catalog.hypertable"

    /// Continuous aggregates: the view and the hypertable it aggregates, both qualified.
    public static let continuousAggregates = """
        SELECT view_schema || '.' || view_name, hypertable_schema || '.' || hypertable_name FROM timescaledb_information.continuous_aggregates
        """

    /// Hypertables with compression enabled, qualified.
    public static let compressedHypertables = """
        SELECT hypertable_schema || '.' || hypertable_name FROM timescaledb_information.hypertables WHERE compression_enabled
        """

    /// Settings and policies of hypertables and continuous aggregates, one line per row (`timescaleSettings`).
    /// The policies' configs without the internal ids, which a move or a re-creation changes.
    public static let timescaleSettings = """
        SELECT h.hypertable_schema || '.' || h.hypertable_name, 'compression=' || h.compression_enabled::text
               || COALESCE(' segmentby=' || s.segmentby, '') || COALESCE(' orderby=' || s.orderby, '')
        FROM timescaledb_information.hypertables AS h
        LEFT JOIN timescaledb_information.hypertable_compression_settings AS s
               ON s.hypertable = pg_catalog.format('%I.%I', h.hypertable_schema, h.hypertable_name)::regclass
        UNION ALL
        SELECT j.hypertable_schema || '.' || j.hypertable_name, 'job ' || j.proc_name || ' owner=' || j.owner || ' every=' || j.schedule_interval::text
               || ' config=' || (j.config - 'hypertable_id' - 'mat_hypertable_id')::text
        FROM timescaledb_information.jobs AS j WHERE j.hypertable_name IS NOT NULL
        UNION ALL
        SELECT a.view_schema || '.' || a.view_name, 'materialized_only=' || a.materialized_only::text FROM timescaledb_information.continuous_aggregates AS a
        ORDER BY 1, 2
        """

    /// Whether Citus is installed; only then can `distributed` run.
    public static let citusInstalled = "SELECT EXISTS (SELECT 1 FROM pg_catalog.pg_extension WHERE extname = 'citus')::text"

    public static let distributed = """
        SELECT n.nspname || '.' || c.relname FROM pg_dist_partition AS p JOIN pg_catalog.pg_class AS c ON c.oid = p.logicalrelid
        JOIN pg_catalog.pg_namespace AS n ON n.oid = c.relnamespace WHERE p.partmethod = 'h'
        """

    public static let roleSettings = """
        SELECT r.rolname AS role, s.setconfig::text AS settings FROM pg_catalog.pg_db_role_setting AS s JOIN pg_catalog.pg_roles AS r ON r.oid = s.setrole
        WHERE s.setdatabase IN (0, (SELECT oid FROM pg_catalog.pg_database WHERE datname = pg_catalog.current_database()))
        """
}
