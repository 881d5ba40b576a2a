import Catalog
import Deploy
import Foundation
import PolicyGen
import Postgres
import Quoting
import Tenantwall
import XCTest

/// Plan's fingerprints derived from the one catalog model (`CatalogSnapshot(catalog:spec:)`) are the texts the
/// server-side query they replace rendered, key by key: on every example spec and on the adopt fixtures, before
/// apply, inside the plan's rolled-back transaction, and after apply. So the plans users and tests read did not
/// change when plan moved to the one model.
final class CatalogSnapshotEquivalenceTests: XCTestCase {
    func assertSame(_ spec: Spec, _ db: Connection, _ label: String, inTransaction: Bool = false, file: StaticString = #filePath, line: UInt = #line) throws {
        let reference = CatalogSnapshot(referenceRows: try db.query(ReferenceCatalogQuery.sql, ReferenceCatalogQuery.parameters(for: spec)).rows)
        let catalog = inTransaction ? try CatalogReader.readInCurrentTransaction(db) : try CatalogReader.read(db)
        let derived = CatalogSnapshot(catalog: catalog, spec: spec)
        XCTAssertEqual(derived.objects.keys.sorted(), reference.objects.keys.sorted(), "\(label): keys", file: file, line: line)
        XCTAssertNotNil(reference.objects["roles"], "\(label)", file: file, line: line)
        for key in reference.objects.keys.sorted() where derived.objects[key] != nil {
            XCTAssertEqual(derived.objects[key], reference.objects[key], "\(label): \(key)", file: file, line: line)
        }
        XCTAssertEqual(LiveShape(catalog: catalog, spec: spec), try referenceShape(db, spec: spec), "\(label): live shape", file: file, line: line)
        let tree = { (shape: LiveShape) in shape.partitions.mapValues { $0.map { "\($0.schema).\($0.name)" } } }
        XCTAssertEqual(tree(LiveShape(catalog: catalog, spec: spec)), tree(try referenceShape(db, spec: spec)), "\(label): partitions in order", file: file, line: line)
    }

    /// Before apply, inside a transaction holding the generated SQL (rolled back), and after apply when the plan
    /// has no blockers.
    func assertSameThroughApply(_ spec: Spec, _ db: Connection, _ label: String) throws {
        try assertSame(spec, db, label + " (before apply)")
        let generator = Generator(spec: spec, live: try LiveShape.read(db, spec: spec))
        try db.rolledBack {
            for statement in generator.sections().flatMap(\.statements) { try db.execute(statement.sql) }
            try assertSame(spec, db, label + " (in the plan's transaction)", inTransaction: true)
        }
        do { try LiveDatabase(connection: db).apply(spec) } catch let blocked as ApplyBlocked { print("note (\(label)): \(blocked)"); return }
        try assertSame(spec, db, label + " (after apply)")
    }

    func testEveryExampleSpec() throws {
        for model in ExampleSpecTests.models {
            let (_, db) = try TestServer.freshDatabase("snap")
            var notes: [String] = []
            // The walled form's fingerprints are new (no reference query): WalledDeployTests checks their drift.
            let spec = try ServerCapabilities(connection: db).adapt(try SpecFiles.load([TestServer.path("policies/" + model)]).inRLSForm, notes: &notes)
            do { try TestServer.requireExtensions(spec, db) } catch let skip as XCTSkip { print("note (\(model)): skipped: \(skip)"); continue }
            try assertSameThroughApply(spec, db, model)
        }
    }

    func testTheAdoptFixtures() throws {
        for name in ["analytics-platform", "metrics-service"] {
            let (_, db) = try TestServer.freshDatabase("snap")
            try db.execute(String(contentsOfFile: TestServer.path("Tests/Fixtures/adopt/\(name).sql"), encoding: .utf8))
            let spec = try SpecFiles.load([TestServer.path("Tests/Fixtures/adopt/specs/" + name)])
            try assertSameThroughApply(spec, db, name)
        }
    }
}

/// The shape index builds need, as the one query that read it before the catalog model did (the reference).
func referenceShape(_ connection: Connection, spec: Spec) throws -> LiveShape {
        let scopes = spec.tables.map { $0.scopeColumn(tenancy: spec.tenancy) ?? "" }
        let rows = try connection.query("""
            WITH t AS (
                SELECT c.oid, n.nspname || '.' || c.relname AS q, s.scope
                FROM unnest($1::text[], $2::text[], $3::text[]) AS s(nsp, rel, scope)
                JOIN pg_catalog.pg_namespace AS n ON n.nspname = s.nsp
                JOIN pg_catalog.pg_class AS c ON c.relnamespace = n.oid AND c.relname = s.rel
            )
            SELECT 'table' AS kind, t.q AS name, NULL AS schema, NULL AS part FROM t
            UNION ALL
            SELECT DISTINCT 'tenant index', t.q, NULL, NULL FROM t
            JOIN pg_catalog.pg_index AS x ON x.indrelid = t.oid AND x.indisvalid AND x.indpred IS NULL
            JOIN pg_catalog.pg_attribute AS a ON a.attrelid = t.oid AND a.attnum = x.indkey[0]
            WHERE a.attname = t.scope
            UNION ALL
            SELECT 'partition', t.q, n.nspname, c.relname FROM t
            CROSS JOIN LATERAL pg_catalog.pg_partition_tree(t.oid) AS p
            JOIN pg_catalog.pg_class AS c ON c.oid = p.relid JOIN pg_catalog.pg_namespace AS n ON n.oid = c.relnamespace
            WHERE p.isleaf AND p.relid <> t.oid
            UNION ALL
            SELECT CASE WHEN x.indisvalid THEN 'index' ELSE 'invalid index' END, n.nspname || '.' || i.relname, NULL, NULL FROM t
            CROSS JOIN LATERAL (SELECT t.oid AS relid UNION SELECT p.relid FROM pg_catalog.pg_partition_tree(t.oid) AS p) AS r
            JOIN pg_catalog.pg_index AS x ON x.indrelid = r.relid
            JOIN pg_catalog.pg_class AS i ON i.oid = x.indexrelid JOIN pg_catalog.pg_namespace AS n ON n.oid = i.relnamespace
            """, [SQL.textArray(spec.tables.map(\.schema)), SQL.textArray(spec.tables.map(\.name)), SQL.textArray(scopes)]).named
        var shape = LiveShape()
        for row in rows {
            guard let name = row["name"] else { continue }
            switch row["kind"] {
            case "table": shape.tables.insert(name)
            case "tenant index": shape.tenantIndexed.insert(name)
            case "partition": shape.partitions[name, default: []].append((row["schema"] ?? "", row["part"] ?? ""))
            case "invalid index": shape.invalidIndexes.insert(name); shape.indexes.insert(name)
            case "index": shape.indexes.insert(name)
            default: break
            }
        }
        return shape
}

extension CatalogSnapshot {
    /// `(key, value)` rows as the reference query returns them (a NULL value as empty).
    init(referenceRows rows: [[String?]]) {
        var objects: [String: String] = [:]
        for row in rows where row.count >= 2 {
            if let key = row[0] { objects[key] = row[1] ?? "" }
        }
        self.init(objects: objects)
    }
}

/// The server-side query that rendered plan's fingerprints before the one catalog model, kept here only as the
/// reference `CatalogSnapshot(catalog:spec:)` must equal, and its bind parameters for a spec.
enum ReferenceCatalogQuery {
    static func parameters(for spec: Spec) -> [String?] {
        let r = spec.roles
        return [
            SQL.textArray(spec.tables.map(\.schema)), SQL.textArray(spec.tables.map(\.name)), spec.tenancy.helperSchema,
            SQL.textArray(uniqued([r.owner, r.app, r.admin] + r.readonly + r.adminMembers)), SQL.textArray(uniqued([spec.tenancy.helperSchema] + spec.tables.map(\.schema) + spec.tables.compactMap { $0.hypertable?.chunkSchema(tenancy: spec.tenancy) })),
            r.admin,
            SQL.textArray(spec.legacyFunctions.map(\.signature)), SQL.textArray(spec.legacyFunctions.map(lookup)),
            SQL.textArray(spec.rollups.map(\.viewSchema)), SQL.textArray(spec.rollups.map(\.name)), Rollup.privateSchema(tenancy: spec.tenancy),
        ]
    }

    static let sql = #"""
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

    /// The function as `to_regprocedure` finds it (LegacyFunctionStatements.lookup).
    static func lookup(_ function: LegacyFunction) -> String {
        guard let parts = function.parts else { return function.signature }
        return SQL.qualified(parts.schema, parts.name) + "(" + parts.arguments.map { TypeName.normalize($0) ?? $0 }.joined(separator: ", ") + ")"
    }
}
