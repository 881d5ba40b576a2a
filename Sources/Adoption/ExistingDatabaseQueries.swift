/// The catalog queries behind `tenantwall init`. Each reads every table at once (`$1::oid[]`), lists come back as
/// JSON arrays (names may hold any character but NUL), and every value from outside arrives as a bind parameter.
/// They run with `search_path = pg_catalog`, so `format_type` and `regprocedure` schema-qualify everything
/// user-defined (`raw.event_kind`, `public.set_tenant_context(uuid)`).
enum ExistingDatabaseQueries {
    /// Schemas never read: the system's, TimescaleDB's; `$1` adds tenantwall's own and the extensions' (pg_partman's).
    static let userSchema = """
        n.nspname !~ '^pg_' AND n.nspname <> 'information_schema' AND n.nspname !~ '^_timescaledb_' AND n.nspname !~ '^timescaledb_'
          AND n.nspname <> ALL ($1::text[])
        """

    /// Whether an object of catalog `catalog` with oid `oid` belongs to an extension.
    static func extensionMember(_ catalog: String, _ oid: String) -> String {
        "EXISTS (SELECT 1 FROM pg_catalog.pg_depend AS d WHERE d.classid = '\(catalog)'::pg_catalog.regclass AND d.objid = \(oid) AND d.deptype = 'e')"
    }

    /// `$1` excluded schemas, `$2` the schemas to read (empty: all).
    static let tables = """
        SELECT c.oid::text AS oid, n.nspname AS schema, c.relname AS name, pg_catalog.pg_get_userbyid(c.relowner) AS owner,
               c.relrowsecurity AS rls, pt.partstrat::text AS strategy,
               (SELECT pg_catalog.json_agg(a.attname ORDER BY k.ord) FROM unnest(pt.partattrs::int2[]) WITH ORDINALITY AS k(attnum, ord)
                LEFT JOIN pg_catalog.pg_attribute AS a ON a.attrelid = c.oid AND a.attnum = k.attnum AND k.attnum > 0) AS partition_key
        FROM pg_catalog.pg_class AS c JOIN pg_catalog.pg_namespace AS n ON n.oid = c.relnamespace
        LEFT JOIN pg_catalog.pg_partitioned_table AS pt ON pt.partrelid = c.oid
        WHERE c.relkind IN ('r', 'p') AND NOT c.relispartition AND \(userSchema)
          AND (pg_catalog.cardinality($2::text[]) = 0 OR n.nspname = ANY ($2::text[]))
          AND NOT \(extensionMember("pg_catalog.pg_class", "c.oid"))
        ORDER BY n.nspname, c.relname
        """

    static let columns = """
        SELECT a.attrelid::text AS oid, a.attname AS name, pg_catalog.format_type(a.atttypid, a.atttypmod) AS type, a.attnotnull AS not_null,
               pg_catalog.pg_get_expr(d.adbin, d.adrelid) AS "default", a.attidentity <> '' AS identity, a.attgenerated <> '' AS generated
        FROM pg_catalog.pg_attribute AS a LEFT JOIN pg_catalog.pg_attrdef AS d ON d.adrelid = a.attrelid AND d.adnum = a.attnum
        WHERE a.attrelid = ANY ($1::oid[]) AND a.attnum > 0 AND NOT a.attisdropped
        ORDER BY a.attrelid, a.attnum
        """

    /// Primary keys and foreign keys.
    static let constraints = """
        SELECT k.conrelid::text AS oid, k.contype::text AS kind,
               (SELECT pg_catalog.json_agg(a.attname ORDER BY u.ord) FROM unnest(k.conkey) WITH ORDINALITY AS u(attnum, ord)
                JOIN pg_catalog.pg_attribute AS a ON a.attrelid = k.conrelid AND a.attnum = u.attnum) AS columns,
               rn.nspname || '.' || r.relname AS "references",
               (SELECT pg_catalog.json_agg(a.attname ORDER BY u.ord) FROM unnest(k.confkey) WITH ORDINALITY AS u(attnum, ord)
                JOIN pg_catalog.pg_attribute AS a ON a.attrelid = k.confrelid AND a.attnum = u.attnum) AS referenced_columns
        FROM pg_catalog.pg_constraint AS k LEFT JOIN pg_catalog.pg_class AS r ON r.oid = k.confrelid
        LEFT JOIN pg_catalog.pg_namespace AS rn ON rn.oid = r.relnamespace
        WHERE k.conrelid = ANY ($1::oid[]) AND k.contype IN ('p', 'f')
        ORDER BY k.conrelid, k.conname
        """

    /// Valid indexes: key columns (null for an expression), DESC flags, INCLUDE columns, the predicate.
    static let indexes = """
        SELECT x.indrelid::text AS oid, i.relname AS name, am.amname AS method, x.indisunique AS "unique", x.indisprimary AS "primary",
               x.indnkeyatts AS key_count,
               (SELECT pg_catalog.json_agg(a.attname ORDER BY k.ord) FROM unnest(x.indkey::int2[]) WITH ORDINALITY AS k(attnum, ord)
                LEFT JOIN pg_catalog.pg_attribute AS a ON a.attrelid = x.indrelid AND a.attnum = k.attnum AND k.attnum > 0) AS columns,
               (SELECT pg_catalog.json_agg((o.option & 1) = 1 ORDER BY o.ord) FROM unnest(x.indoption::int2[]) WITH ORDINALITY AS o(option, ord)) AS descending,
               pg_catalog.pg_get_expr(x.indpred, x.indrelid) AS predicate
        FROM pg_catalog.pg_index AS x JOIN pg_catalog.pg_class AS i ON i.oid = x.indexrelid JOIN pg_catalog.pg_am AS am ON am.oid = i.relam
        WHERE x.indrelid = ANY ($1::oid[]) AND x.indisvalid
        ORDER BY x.indrelid, i.relname
        """

    /// Privileges held by anyone but the owner (PUBLIC as `PUBLIC`).
    static let grants = """
        SELECT c.oid::text AS oid, CASE WHEN x.grantee = 0 THEN 'PUBLIC' ELSE pg_catalog.pg_get_userbyid(x.grantee) END AS role,
               pg_catalog.json_agg(x.privilege_type ORDER BY x.privilege_type) AS privileges
        FROM pg_catalog.pg_class AS c CROSS JOIN LATERAL pg_catalog.aclexplode(c.relacl) AS x
        WHERE c.oid = ANY ($1::oid[]) AND x.grantee <> c.relowner
        GROUP BY c.oid, x.grantee
        ORDER BY c.oid, role
        """

    static let partitions = """
        SELECT i.inhparent::text AS oid, c.relname AS name, pg_catalog.pg_get_expr(c.relpartbound, c.oid) AS bound
        FROM pg_catalog.pg_inherits AS i JOIN pg_catalog.pg_class AS c ON c.oid = i.inhrelid
        WHERE i.inhparent = ANY ($1::oid[]) AND c.relispartition
        ORDER BY i.inhparent, c.relname
        """

    static let policies = """
        SELECT n.nspname || '.' || c.relname AS "table", p.polname AS name,
               pg_catalog.pg_get_expr(p.polqual, p.polrelid) AS "using", pg_catalog.pg_get_expr(p.polwithcheck, p.polrelid) AS "check"
        FROM pg_catalog.pg_policy AS p JOIN pg_catalog.pg_class AS c ON c.oid = p.polrelid JOIN pg_catalog.pg_namespace AS n ON n.oid = c.relnamespace
        WHERE c.oid = ANY ($1::oid[])
        ORDER BY 1, 2
        """

    /// Functions and procedures in user schemas (any of them, whatever `--schema` says: a setter often lives
    /// in `public`), not belonging to an extension; the source of SQL and PL/pgSQL ones.
    static let functions = """
        SELECT p.oid::pg_catalog.regprocedure::text AS signature, pg_catalog.pg_get_userbyid(p.proowner) AS owner,
               CASE WHEN l.lanname IN ('sql', 'plpgsql') THEN p.prosrc END AS body
        FROM pg_catalog.pg_proc AS p JOIN pg_catalog.pg_namespace AS n ON n.oid = p.pronamespace JOIN pg_catalog.pg_language AS l ON l.oid = p.prolang
        WHERE p.prokind IN ('f', 'p') AND \(userSchema) AND NOT \(extensionMember("pg_catalog.pg_proc", "p.oid"))
        ORDER BY 1
        """

    /// Materialized views and the relations their query reads.
    static let materializedViews = """
        SELECT n.nspname || '.' || v.relname AS name, pg_catalog.pg_get_userbyid(v.relowner) AS owner,
               (SELECT pg_catalog.json_agg(DISTINCT tn.nspname || '.' || t.relname)
                FROM pg_catalog.pg_rewrite AS r JOIN pg_catalog.pg_depend AS d ON d.classid = 'pg_catalog.pg_rewrite'::pg_catalog.regclass AND d.objid = r.oid
                JOIN pg_catalog.pg_class AS t ON t.oid = d.refobjid AND d.refclassid = 'pg_catalog.pg_class'::pg_catalog.regclass
                JOIN pg_catalog.pg_namespace AS tn ON tn.oid = t.relnamespace
                WHERE r.ev_class = v.oid AND t.oid <> v.oid) AS reads
        FROM pg_catalog.pg_class AS v JOIN pg_catalog.pg_namespace AS n ON n.oid = v.relnamespace
        WHERE v.relkind = 'm' AND \(userSchema) AND NOT \(extensionMember("pg_catalog.pg_class", "v.oid"))
        ORDER BY 1
        """

    static let roles = """
        SELECT r.rolname AS name, r.rolsuper AS superuser, r.rolbypassrls AS bypassrls FROM pg_catalog.pg_roles AS r WHERE r.rolname !~ '^pg_'
        """

    /// The schemas of installed extensions whose own schema holds tables of theirs (pg_partman's `partman`).
    static let extensionSchemas = """
        SELECT e.extname AS name, n.nspname AS schema FROM pg_catalog.pg_extension AS e JOIN pg_catalog.pg_namespace AS n ON n.oid = e.extnamespace
        """

    /// pg_partman's parents and premake, in the schema `partman` was installed in (quoted by the caller).
    static func partmanConfig(schema: String) -> String {
        "SELECT parent_table AS parent, premake FROM \(schema).part_config"
    }

    static let timescaleInstalled = "SELECT EXISTS (SELECT 1 FROM pg_catalog.pg_namespace WHERE nspname = 'timescaledb_information')"

    static let hypertableDimensions = """
        SELECT d.hypertable_schema || '.' || d.hypertable_name AS "table", d.column_name AS "column", d.dimension_type::text AS kind,
               EXTRACT(EPOCH FROM d.time_interval)::bigint AS seconds, d.num_partitions AS partitions,
               h.associated_schema_name AS chunk_schema
        FROM timescaledb_information.dimensions AS d
        JOIN _timescaledb_catalog.hypertable AS h ON h.schema_name = d.hypertable_schema AND h.table_name = d.hypertable_name
        ORDER BY 1, d.dimension_number
        """

    static let retention = """
        SELECT j.hypertable_schema || '.' || j.hypertable_name AS "table",
               CASE WHEN j.config->>'drop_after' ~ '^[0-9]+$' THEN NULL ELSE EXTRACT(EPOCH FROM (j.config->>'drop_after')::interval)::bigint END AS seconds
        FROM timescaledb_information.jobs AS j WHERE j.proc_name = 'policy_retention' AND j.hypertable_name IS NOT NULL
        """
}
