import PolicyGen
import Postgres
import Quoting

extension LiveShape {
    /// Reads, for the spec's tables, what changes how indexes are built: which exist, which already have an
    /// index leading with their scope column, each partitioned table's leaf partitions, tenantwall's INVALID
    /// indexes and every index they have. One query.
    public static func read(_ connection: Connection, spec: Spec) throws -> LiveShape {
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
}
