/// The catalog queries behind `AuditCatalog`, and how their rows become values. Every list is aggregated
/// into one text field with a separator that cannot occur in it unquoted (`,` between quoted names).
public enum AuditCatalogQueries {
    static let userSchemas = "n.nspname NOT IN ('pg_catalog', 'information_schema') AND n.nspname NOT LIKE 'pg\\_toast%' AND n.nspname NOT LIKE 'pg\\_temp%'"

    public static let tables = """
        SELECT c.oid::text, n.nspname, c.relname, c.relkind::text, c.relrowsecurity::text, c.relforcerowsecurity::text,
               pg_catalog.pg_get_userbyid(c.relowner),
               (SELECT pn.nspname || '.' || p.relname FROM pg_catalog.pg_inherits AS i JOIN pg_catalog.pg_class AS p ON p.oid = i.inhparent
                JOIN pg_catalog.pg_namespace AS pn ON pn.oid = p.relnamespace WHERE i.inhrelid = c.oid LIMIT 1),
               (SELECT pg_catalog.array_agg(a.attname::text ORDER BY a.attnum) FROM pg_catalog.pg_attribute AS a
                WHERE a.attrelid = c.oid AND a.attnum > 0 AND NOT a.attisdropped)::text,
               (SELECT pg_catalog.array_agg(CASE WHEN x.grantee = 0 THEN 'PUBLIC' ELSE pg_catalog.pg_get_userbyid(x.grantee) END || ':' || x.privilege_type)
                FROM pg_catalog.aclexplode(c.relacl) AS x)::text,
               c.reloptions::text,
               (SELECT pg_catalog.array_agg(CASE WHEN x.grantee = 0 THEN 'PUBLIC' ELSE pg_catalog.pg_get_userbyid(x.grantee) END)
                FROM pg_catalog.aclexplode(COALESCE(n.nspacl, pg_catalog.acldefault('n', n.nspowner))) AS x WHERE x.privilege_type = 'USAGE')::text,
               (SELECT pg_catalog.array_agg(DISTINCT CASE WHEN x.grantee = 0 THEN 'PUBLIC' ELSE pg_catalog.pg_get_userbyid(x.grantee) END || ':' || x.privilege_type)
                FROM pg_catalog.pg_attribute AS a CROSS JOIN LATERAL pg_catalog.aclexplode(a.attacl) AS x
                WHERE a.attrelid = c.oid AND a.attnum > 0 AND NOT a.attisdropped AND a.attacl IS NOT NULL)::text
        FROM pg_catalog.pg_class AS c JOIN pg_catalog.pg_namespace AS n ON n.oid = c.relnamespace
        WHERE c.relkind IN ('r', 'p', 'v', 'm', 'f') AND \(userSchemas)
        """

    public static let policies = """
        SELECT n.nspname || '.' || c.relname, p.polname, p.polpermissive::text, p.polcmd::text,
               (SELECT pg_catalog.array_agg(CASE WHEN r = 0 THEN 'public' ELSE pg_catalog.pg_get_userbyid(r) END) FROM unnest(p.polroles) AS r)::text,
               pg_catalog.pg_get_expr(p.polqual, p.polrelid), pg_catalog.pg_get_expr(p.polwithcheck, p.polrelid)
        FROM pg_catalog.pg_policy AS p JOIN pg_catalog.pg_class AS c ON c.oid = p.polrelid JOIN pg_catalog.pg_namespace AS n ON n.oid = c.relnamespace
        """

    public static let roles = """
        SELECT r.rolname, r.rolsuper::text, r.rolbypassrls::text,
               (SELECT pg_catalog.array_agg(b.rolname::text) FROM pg_catalog.pg_roles AS b
                WHERE (b.rolsuper OR b.rolbypassrls) AND b.oid <> r.oid AND pg_catalog.pg_has_role(r.oid, b.oid, 'MEMBER'))::text,
               (r.rolcanlogin AND r.rolconnlimit <> 0)::text,
               (SELECT pg_catalog.array_agg(b.rolname::text) FROM pg_catalog.pg_roles AS b
                WHERE b.oid <> r.oid AND b.rolname !~ '^pg_' AND pg_catalog.pg_has_role(r.oid, b.oid, 'MEMBER'))::text
        FROM pg_catalog.pg_roles AS r WHERE r.rolname !~ '^pg_'
        """

    public static let functions = """
        SELECT n.nspname, p.proname, pg_catalog.pg_get_function_identity_arguments(p.oid), p.prosecdef::text, p.proconfig::text,
               p.proleakproof::text, p.provolatile::text, p.proparallel::text, pg_catalog.pg_get_userbyid(p.proowner),
               (SELECT pg_catalog.array_agg(CASE WHEN x.grantee = 0 THEN 'PUBLIC' ELSE pg_catalog.pg_get_userbyid(x.grantee) END)
                FROM pg_catalog.aclexplode(COALESCE(p.proacl, pg_catalog.acldefault('f', p.proowner))) AS x WHERE x.privilege_type = 'EXECUTE')::text,
               CASE WHEN l.lanname IN ('sql', 'plpgsql') THEN p.prosrc END,
               (l.lanname = 'c' AND EXISTS (SELECT 1 FROM pg_catalog.pg_depend AS d JOIN pg_catalog.pg_extension AS e ON e.oid = d.refobjid
                                            WHERE d.classid = 'pg_catalog.pg_proc'::regclass AND d.objid = p.oid AND d.deptype = 'e'
                                              AND e.extname = 'tenantwall'))::text
        FROM pg_catalog.pg_proc AS p JOIN pg_catalog.pg_language AS l ON l.oid = p.prolang JOIN pg_catalog.pg_namespace AS n ON n.oid = p.pronamespace
        WHERE \(userSchemas) AND p.prokind IN ('f', 'p')
          AND NOT EXISTS (SELECT 1 FROM pg_catalog.pg_depend AS d WHERE d.objid = p.oid AND d.deptype = 'e' AND d.classid = 'pg_catalog.pg_proc'::regclass
                          AND d.refobjid NOT IN (SELECT oid FROM pg_catalog.pg_extension WHERE extname = 'tenantwall'))
        """

    public static let dependencies = """
        SELECT DISTINCT vn.nspname || '.' || v.relname, tn.nspname || '.' || t.relname
        FROM pg_catalog.pg_depend AS d JOIN pg_catalog.pg_rewrite AS r ON r.oid = d.objid
        JOIN pg_catalog.pg_class AS v ON v.oid = r.ev_class JOIN pg_catalog.pg_namespace AS vn ON vn.oid = v.relnamespace
        JOIN pg_catalog.pg_class AS t ON t.oid = d.refobjid JOIN pg_catalog.pg_namespace AS tn ON tn.oid = t.relnamespace
        WHERE d.classid = 'pg_catalog.pg_rewrite'::regclass AND d.refclassid = 'pg_catalog.pg_class'::regclass
          AND v.oid <> t.oid AND v.relkind IN ('v', 'm') AND t.relkind IN ('r', 'p')
        """

    public static let triggers = """
        SELECT n.nspname || '.' || c.relname, t.tgname, p.oid::regprocedure::text, pg_catalog.pg_get_userbyid(p.proowner), p.prosecdef::text
        FROM pg_catalog.pg_trigger AS t JOIN pg_catalog.pg_class AS c ON c.oid = t.tgrelid JOIN pg_catalog.pg_namespace AS n ON n.oid = c.relnamespace
        JOIN pg_catalog.pg_proc AS p ON p.oid = t.tgfoid
        WHERE NOT t.tgisinternal AND \(userSchemas)
        """

    public static let indexes = """
        SELECT n.nspname || '.' || c.relname, i.relname,
               (SELECT pg_catalog.array_agg(COALESCE(a.attname::text, '(expression)') ORDER BY k.ord) FROM unnest(x.indkey) WITH ORDINALITY AS k(attnum, ord)
                LEFT JOIN pg_catalog.pg_attribute AS a ON a.attrelid = c.oid AND a.attnum = k.attnum)::text,
               pg_catalog.regexp_replace(pg_catalog.pg_get_indexdef(x.indexrelid), '^CREATE (UNIQUE )?INDEX \\S+ ON ', 'CREATE \\1INDEX ON ')
        FROM pg_catalog.pg_index AS x JOIN pg_catalog.pg_class AS i ON i.oid = x.indexrelid JOIN pg_catalog.pg_class AS c ON c.oid = x.indrelid
        JOIN pg_catalog.pg_namespace AS n ON n.oid = c.relnamespace
        WHERE \(userSchemas)
        """

    /// Foreign keys: the referencing table, the constraint, the referenced table.
    public static let foreignKeys = """
        SELECT n.nspname || '.' || c.relname, k.conname, rn.nspname || '.' || r.relname,
               (SELECT pg_catalog.array_agg(a.attname::text ORDER BY u.ord) FROM unnest(k.conkey) WITH ORDINALITY AS u(attnum, ord)
                JOIN pg_catalog.pg_attribute AS a ON a.attrelid = k.conrelid AND a.attnum = u.attnum)::text
        FROM pg_catalog.pg_constraint AS k JOIN pg_catalog.pg_class AS c ON c.oid = k.conrelid JOIN pg_catalog.pg_namespace AS n ON n.oid = c.relnamespace
        JOIN pg_catalog.pg_class AS r ON r.oid = k.confrelid JOIN pg_catalog.pg_namespace AS rn ON rn.oid = r.relnamespace
        WHERE k.contype = 'f' AND \(userSchemas)
        """

    /// Default privileges for tables: who sets them (and in which schema), and who receives what.
    public static let defaultPrivileges = """
        SELECT pg_catalog.pg_get_userbyid(d.defaclrole), COALESCE(n.nspname, ''),
               CASE WHEN x.grantee = 0 THEN 'PUBLIC' ELSE pg_catalog.pg_get_userbyid(x.grantee) END, x.privilege_type
        FROM pg_catalog.pg_default_acl AS d LEFT JOIN pg_catalog.pg_namespace AS n ON n.oid = d.defaclnamespace
        CROSS JOIN LATERAL pg_catalog.aclexplode(d.defaclacl) AS x
        WHERE d.defaclobjtype = 'r' AND x.grantee <> d.defaclrole
        """

    /// Builds the snapshot from the rows of the queries above, in the order `tables, policies, roles,
    /// functions, dependencies, triggers, indexes, foreignKeys, defaultPrivileges`.
    public static func catalog(_ results: [[[String?]]]) -> AuditCatalog {
        var catalog = AuditCatalog()
        catalog.tables = results[0].map { r in
            AuditCatalog.Table(oid: r[0] ?? "", schema: r[1] ?? "", name: r[2] ?? "", kind: r[3] ?? "", rls: r[4] == "true", forced: r[5] == "true",
                               owner: r[6] ?? "", parent: r[7], columns: array(r[8]), grants: array(r[9]), options: array(r[10]),
                               schemaUsers: array(r[11]), columnGrants: array(r[12]))
        }
        catalog.policies = results[1].map { r in
            AuditCatalog.Policy(table: r[0] ?? "", name: r[1] ?? "", permissive: r[2] == "true", command: r[3] ?? "*", roles: array(r[4]), using: r[5], check: r[6])
        }
        catalog.roles = results[2].map { r in
            AuditCatalog.Role(name: r[0] ?? "", superuser: r[1] == "true", bypassRLS: r[2] == "true", bypassMemberships: array(r[3]),
                              canLogin: r[4] == "true", memberOf: array(r[5]))
        }
        catalog.functions = results[3].map { r in
            AuditCatalog.Function(schema: r[0] ?? "", name: r[1] ?? "", signature: r[2] ?? "", securityDefiner: r[3] == "true", config: array(r[4]),
                                  leakproof: r[5] == "true", volatility: r[6] ?? "v", parallel: r[7] ?? "u", owner: r[8] ?? "", executors: array(r[9]),
                                  body: r[10], native: r.count > 11 && r[11] == "true")
        }
        catalog.dependencies = results[4].map { AuditCatalog.Dependency(view: $0[0] ?? "", table: $0[1] ?? "") }
        catalog.triggers = results[5].map { r in
            AuditCatalog.Trigger(table: r[0] ?? "", name: r[1] ?? "", function: r[2] ?? "", functionOwner: r[3] ?? "", securityDefiner: r[4] == "true")
        }
        catalog.indexes = results[6].map { r in AuditCatalog.IndexInfo(table: r[0] ?? "", name: r[1] ?? "", columns: array(r[2]), shape: r[3] ?? "") }
        if results.count > 8 {
            catalog.foreignKeys = results[7].map { AuditCatalog.ForeignKey(table: $0[0] ?? "", name: $0[1] ?? "", references: $0[2] ?? "", columns: array($0[3])) }
            catalog.defaultPrivileges = results[8].map { AuditCatalog.DefaultPrivilege(owner: $0[0] ?? "", schema: $0[1] ?? "", grantee: $0[2] ?? "", privilege: $0[3] ?? "") }
        }
        return catalog
    }

    public static let all = [tables, policies, roles, functions, dependencies, triggers, indexes, foreignKeys, defaultPrivileges]

    /// Whether TimescaleDB is installed; only then can `hypertables` run (its catalog schema exists).
    public static let timescaleInstalled = "SELECT EXISTS (SELECT 1 FROM pg_catalog.pg_extension WHERE extname = 'timescaledb')::text"

    /// Hypertables, qualified: their inheritance children are chunks.
    public static let hypertables = "SELECT schema_name || '.' || table_name FROM _timescaledb_catalog.hypertable"

    /// Whether Citus is installed; only then can `distributed` run.
    public static let citusInstalled = "SELECT EXISTS (SELECT 1 FROM pg_catalog.pg_extension WHERE extname = 'citus')::text"

    public static let distributed = """
        SELECT n.nspname || '.' || c.relname FROM pg_dist_partition AS p JOIN pg_catalog.pg_class AS c ON c.oid = p.logicalrelid
        JOIN pg_catalog.pg_namespace AS n ON n.oid = c.relnamespace WHERE p.partmethod = 'h'
        """

    public static let roleSettings = """
        SELECT r.rolname, s.setconfig::text FROM pg_catalog.pg_db_role_setting AS s JOIN pg_catalog.pg_roles AS r ON r.oid = s.setrole
        WHERE s.setdatabase IN (0, (SELECT oid FROM pg_catalog.pg_database WHERE datname = pg_catalog.current_database()))
        """


    /// Parses PostgreSQL's text form of a one-dimensional array: `{a,"b c","d\\"e"}`.
    static func array(_ text: String?) -> [String] {
        guard let text, text.count >= 2, text.first == "{", text.last == "}" else { return [] }
        var out: [String] = [], current = "", quoted = false, escaped = false, wasQuoted = false
        for c in text.dropFirst().dropLast() {
            if escaped { current.append(c); escaped = false; continue }
            switch c {
            case "\\" where quoted: escaped = true
            case "\"": quoted.toggle(); wasQuoted = true
            case "," where !quoted:
                out.append(!wasQuoted && current == "NULL" ? "" : current); current = ""; wasQuoted = false
            default: current.append(c)
            }
        }
        if !current.isEmpty || wasQuoted { out.append(current) }
        return out
    }
}
