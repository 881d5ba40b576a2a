import Quoting
/// What the database holds for the objects a spec manages, as plain values: object → a canonical text
/// fingerprint of its state (RLS flags, policy expressions as the server deparses them, ACLs, index and
/// function definitions).
///
/// Chunks (inheritance children of a hypertable) are compared by their ACL only: a chunk that TimescaleDB
/// created since the last run is already closed by its schema and ACL, and gets RLS from the safety-net job, so
/// its missing RLS flag is not drift.
///
/// Plans compare two snapshots: the live database's, and the one the database has after the generated SQL
/// ran in a transaction that is then rolled back. Both are deparsed by the same server, so a hand-edited
/// policy differs from the generated one even when it is written differently.
public struct CatalogSnapshot: Equatable, Sendable {
    public var objects: [String: String]

    public init(objects: [String: String]) { self.objects = objects }

    /// `(key, value)` rows as `CatalogQuery.sql` returns them.
    public init(rows: [[String?]]) {
        var objects: [String: String] = [:]
        for row in rows where row.count >= 2 {
            if let key = row[0] { objects[key] = row[1] ?? "" }
        }
        self.objects = objects
    }
}

/// The catalog query behind a snapshot, and its bind parameters for a spec.
public enum CatalogQuery {
    public static func parameters(for spec: Spec) -> [String?] {
        let r = spec.roles
        return [
            SQL.textArray(spec.tables.map(\.schema)), SQL.textArray(spec.tables.map(\.name)), spec.tenancy.helperSchema,
            SQL.textArray(uniqued([r.owner, r.app, r.admin] + r.readonly + r.adminMembers)), SQL.textArray(uniqued([spec.tenancy.helperSchema] + spec.tables.map(\.schema) + spec.tables.compactMap { $0.hypertable?.chunkSchema(tenancy: spec.tenancy) })),
            r.admin,
            SQL.textArray(spec.legacyFunctions.map(\.signature)), SQL.textArray(spec.legacyFunctions.map(LegacyFunctionStatements.lookup)),
            SQL.textArray(spec.rollups.map(\.viewSchema)), SQL.textArray(spec.rollups.map(\.name)), Rollup.privateSchema(tenancy: spec.tenancy),
        ]
    }

    public static let sql = #"""
WITH t AS (
    SELECT c.oid, n.nspname || '.' || c.relname AS q, c.relkind, c.relrowsecurity, c.relforcerowsecurity, c.relacl, c.relowner
    FROM pg_catalog.pg_class AS c
    JOIN pg_catalog.pg_namespace AS n ON n.oid = c.relnamespace
    JOIN unnest($1::text[], $2::text[]) AS s(nsp, rel) ON s.nsp = n.nspname AND s.rel = c.relname
)
SELECT 'table ' || q, c.relkind::text || ' owner=' || pg_catalog.pg_get_userbyid(c.relowner) || E'\n'
       || (SELECT pg_catalog.string_agg(a.attname || ' ' || pg_catalog.format_type(a.atttypid, a.atttypmod) || CASE WHEN a.attnotnull THEN ' not null' ELSE '' END, E'\n' ORDER BY a.attnum)
           FROM pg_catalog.pg_attribute AS a WHERE a.attrelid = c.oid AND a.attnum > 0 AND NOT a.attisdropped)
FROM t AS c
UNION ALL
SELECT 'row security ' || q, 'enabled=' || relrowsecurity || ' forced=' || relforcerowsecurity FROM t
UNION ALL
SELECT 'policies ' || t.q, COALESCE(pg_catalog.string_agg(pg_catalog.format('%s permissive=%s cmd=%s roles=%s using=%s check=%s',
        p.polname, p.polpermissive, p.polcmd,
        (SELECT pg_catalog.string_agg(n, ',' ORDER BY n) FROM (SELECT CASE WHEN r = 0 THEN 'public' ELSE pg_catalog.pg_get_userbyid(r) END AS n FROM unnest(p.polroles) AS r) AS rn),
        pg_catalog.pg_get_expr(p.polqual, p.polrelid), pg_catalog.pg_get_expr(p.polwithcheck, p.polrelid)), E'\n' ORDER BY p.polname) FILTER (WHERE p.oid IS NOT NULL), '')
FROM t LEFT JOIN pg_catalog.pg_policy AS p ON p.polrelid = t.oid
GROUP BY t.q
UNION ALL
SELECT 'grants ' || q, COALESCE((SELECT pg_catalog.string_agg(g, E'\n' ORDER BY g) FROM (
                              SELECT CASE WHEN a.grantee = 0 THEN 'PUBLIC' ELSE pg_catalog.pg_get_userbyid(a.grantee) END || ':' || a.privilege_type AS g
                              FROM pg_catalog.aclexplode(t.relacl) AS a WHERE a.grantee <> t.relowner) AS gs), '')
       || COALESCE((SELECT pg_catalog.string_agg(E'\ncolumns ' || pg_catalog.format('%s(%s)', g.who, g.cols), '' ORDER BY g.who)
                    FROM (SELECT CASE WHEN a.grantee = 0 THEN 'PUBLIC' ELSE pg_catalog.pg_get_userbyid(a.grantee) END || ':' || a.privilege_type AS who,
                                 pg_catalog.string_agg(c.attname, ' ' ORDER BY c.attnum) AS cols
                          FROM pg_catalog.pg_attribute AS c CROSS JOIN LATERAL pg_catalog.aclexplode(c.attacl) AS a
                          WHERE c.attrelid = t.oid AND c.attnum > 0 AND NOT c.attisdropped AND c.attacl IS NOT NULL
                          GROUP BY 1) AS g), '')
FROM t
UNION ALL
SELECT 'index ' || i.relname || ' on ' || t.q, pg_catalog.pg_get_indexdef(i.oid) || CASE WHEN x.indisvalid THEN '' ELSE ' (INVALID)' END
FROM t JOIN pg_catalog.pg_index AS x ON x.indrelid = t.oid JOIN pg_catalog.pg_class AS i ON i.oid = x.indexrelid
UNION ALL
SELECT 'time series ' || t.q, COALESCE(pg_catalog.string_agg(CASE WHEN k.relispartition
        THEN pg_catalog.format('%s rls=%s force=%s acl=%s', k.relname, k.relrowsecurity, k.relforcerowsecurity, k.relacl)
        ELSE pg_catalog.format('%s.%s acl=%s', k.relnamespace::regnamespace, k.relname, k.relacl) END, E'\n' ORDER BY k.relname), '')
FROM t LEFT JOIN pg_catalog.pg_inherits AS h ON h.inhparent = t.oid LEFT JOIN pg_catalog.pg_class AS k ON k.oid = h.inhrelid
GROUP BY t.q
UNION ALL
SELECT 'schema ' || n.nspname, 'owner=' || pg_catalog.pg_get_userbyid(n.nspowner) || ' acl=' || COALESCE(n.nspacl::text, '')
FROM pg_catalog.pg_namespace AS n WHERE n.nspname = ANY ($5::text[])
UNION ALL
SELECT 'helper functions', COALESCE((
    SELECT pg_catalog.string_agg(pg_catalog.pg_get_functiondef(p.oid) || ' acl=' || COALESCE(p.proacl::text, ''), E'\n' ORDER BY p.proname, p.oid::regprocedure::text)
    FROM pg_catalog.pg_proc AS p JOIN pg_catalog.pg_namespace AS n ON n.oid = p.pronamespace WHERE n.nspname = $3), '')
    || E'\nlog: ' || COALESCE((
    SELECT c.relrowsecurity || ' ' || COALESCE(c.relacl::text, '') || ' ' || COALESCE((
        SELECT pg_catalog.string_agg(p.polname || ' ' || pg_catalog.pg_get_expr(p.polqual, p.polrelid), ',' ORDER BY p.polname)
        FROM pg_catalog.pg_policy AS p WHERE p.polrelid = c.oid), '')
    FROM pg_catalog.pg_class AS c JOIN pg_catalog.pg_namespace AS n ON n.oid = c.relnamespace
    WHERE n.nspname = $3 AND c.relname = 'admin_mode_log'), 'missing')
UNION ALL
SELECT 'roles', COALESCE(pg_catalog.string_agg(pg_catalog.format('%s super=%s bypassrls=%s login=%s connlimit=%s%s', r.rolname, r.rolsuper, r.rolbypassrls, r.rolcanlogin, r.rolconnlimit,
        CASE WHEN $6 = '' THEN '' ELSE ' admin=' || COALESCE(pg_catalog.pg_has_role(r.oid, (SELECT oid FROM pg_catalog.pg_roles WHERE rolname = $6), 'MEMBER'), false) END), E'\n' ORDER BY r.rolname), '')
FROM pg_catalog.pg_roles AS r WHERE r.rolname = ANY ($4::text[])
UNION ALL
SELECT 'legacy function ' || l.signature, COALESCE((
    SELECT pg_catalog.pg_get_functiondef(p.oid) || E'\nacl=' || COALESCE(p.proacl::text, '')
    FROM pg_catalog.pg_proc AS p WHERE p.oid = pg_catalog.to_regprocedure(l.lookup)), 'missing')
FROM unnest($7::text[], $8::text[]) AS l(signature, lookup)
UNION ALL
SELECT 'partition guard', e.evtenabled::text || ' ' || e.evtfoid::regproc::text
FROM pg_catalog.pg_event_trigger AS e WHERE e.evtname = 'tenantwall_secure_partitions'
UNION ALL
SELECT 'rollup ' || r.nsp || '.' || r.rel, COALESCE((
    SELECT c.relkind::text || ' owner=' || pg_catalog.pg_get_userbyid(c.relowner) || ' options=' || COALESCE(c.reloptions::text, '')
           || ' acl=' || COALESCE(c.relacl::text, '') || E'\n' || CASE WHEN c.relkind IN ('v', 'm') THEN pg_catalog.pg_get_viewdef(c.oid) ELSE '' END
    FROM pg_catalog.pg_class AS c JOIN pg_catalog.pg_namespace AS n ON n.oid = c.relnamespace WHERE n.nspname = r.nsp AND c.relname = r.rel), 'missing')
    || E'\nmaterialized: ' || COALESCE((
    SELECT c.relkind::text || ' owner=' || pg_catalog.pg_get_userbyid(c.relowner) || ' acl=' || COALESCE(c.relacl::text, '') || ' populated=' || c.relispopulated
           || E'\n' || COALESCE(pg_catalog.obj_description(c.oid, 'pg_class'), '')
           || E'\n' || COALESCE((SELECT pg_catalog.string_agg(pg_catalog.pg_get_indexdef(x.indexrelid), E'\n' ORDER BY 1) FROM pg_catalog.pg_index AS x WHERE x.indrelid = c.oid), '')
    FROM pg_catalog.pg_class AS c JOIN pg_catalog.pg_namespace AS n ON n.oid = c.relnamespace WHERE n.nspname = $11 AND c.relname = r.rel), 'missing')
FROM unnest($9::text[], $10::text[]) AS r(nsp, rel)
"""#
}
