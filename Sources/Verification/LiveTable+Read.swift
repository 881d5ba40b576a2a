import PolicyGen
import Postgres
import Quoting

/// Reading a live table's shape: one query per aspect (columns with their types and enum labels, unique keys,
/// foreign keys and CHECK columns, partitioning), so each aspect reads and changes on its own.
extension LiveTable {
    /// Reads the table `schema.name`; nil when there is no such table.
    static func read(_ db: Connection, schema: String, name: String) throws -> LiveTable? {
        let relation = SQL.qualified(schema, name)
        guard try db.query("SELECT pg_catalog.to_regclass($1) IS NOT NULL", [relation]).flag else { return nil }
        var table = LiveTable(schema: schema, name: name, columns: try readColumns(db, relation: relation),
                              primaryKey: [], uniques: [], foreignKeys: [], checked: [], partitionColumns: [], topPartitionColumns: [],
                              strategy: nil, partitions: [])
        try table.readUniques(db, relation: relation)
        try table.readConstraints(db, relation: relation)
        try table.readPartitioning(db, relation: relation)
        return table
    }

    /// Columns with their base types, NOT NULL (a domain's too), defaults, identity, generation and enum labels.
    static func readColumns(_ db: Connection, relation: String) throws -> [LiveColumn] {
        let columns = try db.query("""
            SELECT a.attname AS name, pg_catalog.format_type(a.atttypid, a.atttypmod) AS type,
                   pg_catalog.format_type(CASE WHEN t.typtype = 'd' THEN t.typbasetype ELSE a.atttypid END,
                                          CASE WHEN t.typtype = 'd' THEN t.typtypmod ELSE a.atttypmod END) AS base_type,
                   a.attnotnull OR (t.typtype = 'd' AND t.typnotnull) AS not_null, a.atthasdef AS has_default,
                   a.attidentity::text AS identity, a.attgenerated::text AS generated, t.typtype = 'd' AS is_domain,
                   COALESCE(b.typcategory = 'A', false) AS is_array, a.atttypmod::text AS typmod
            FROM pg_catalog.pg_attribute AS a JOIN pg_catalog.pg_type AS t ON t.oid = a.atttypid
            LEFT JOIN pg_catalog.pg_type AS b ON b.oid = CASE WHEN t.typtype = 'd' THEN t.typbasetype ELSE t.oid END
            WHERE a.attrelid = $1::regclass AND a.attnum > 0 AND NOT a.attisdropped ORDER BY a.attnum
            """, [relation]).named
        let labels = try db.query("""
            SELECT a.attname, e.enumlabel FROM pg_catalog.pg_attribute AS a JOIN pg_catalog.pg_type AS t ON t.oid = a.atttypid
            JOIN pg_catalog.pg_enum AS e ON e.enumtypid = CASE WHEN t.typtype = 'd' THEN t.typbasetype ELSE t.oid END
            WHERE a.attrelid = $1::regclass AND a.attnum > 0 AND NOT a.attisdropped ORDER BY a.attnum, e.enumsortorder
            """, [relation]).rows
        return columns.map { row in
            let name = row["name"] ?? ""
            return LiveColumn(name: name, type: row["type"] ?? "", baseType: row["base_type"] ?? "", notNull: row.bool("not_null"),
                              hasDefault: row.bool("has_default"), identity: row["identity"] ?? "", generated: row["generated"] ?? "",
                              isDomain: row.bool("is_domain"), labels: labels.filter { $0[0] == name }.compactMap { $0[1] },
                              isArray: row.bool("is_array"), typmod: Int(row["typmod"] ?? "") ?? -1)
        }
    }

    /// Unique indexes, constraints or not (a spec's `unique: true` index is not a constraint); expression keys
    /// (attnum 0) are left out.
    mutating func readUniques(_ db: Connection, relation: String) throws {
        let indexes = try db.query("""
            SELECT i.indexrelid::text AS id, i.indisprimary AS primary, a.attname AS column
            FROM pg_catalog.pg_index AS i CROSS JOIN LATERAL unnest(i.indkey::int2[]) WITH ORDINALITY AS k(attnum, n)
            JOIN pg_catalog.pg_attribute AS a ON a.attrelid = i.indrelid AND a.attnum = k.attnum
            WHERE i.indrelid = $1::regclass AND i.indisunique AND k.n <= i.indnkeyatts ORDER BY i.indexrelid, k.n
            """, [relation]).named
        for id in uniqued(indexes.compactMap { $0["id"] }) {
            let rows = indexes.filter { $0["id"] == id }
            let key = rows.compactMap { $0["column"] }
            self.uniques.append(key)
            if rows.first?.bool("primary") == true { self.primaryKey = key }
        }
    }

    /// Foreign keys (with MATCH FULL), and the columns a CHECK constraint names.
    mutating func readConstraints(_ db: Connection, relation: String) throws {
        let constraints = try db.query("""
            SELECT c.oid::text AS id, c.contype::text AS kind, c.confmatchtype::text AS match, a.attname AS column,
                   rn.nspname AS ref_schema, rc.relname AS ref_table, ra.attname AS ref_column
            FROM pg_catalog.pg_constraint AS c CROSS JOIN LATERAL unnest(c.conkey) WITH ORDINALITY AS k(attnum, n)
            JOIN pg_catalog.pg_attribute AS a ON a.attrelid = c.conrelid AND a.attnum = k.attnum
            LEFT JOIN pg_catalog.pg_class AS rc ON rc.oid = c.confrelid
            LEFT JOIN pg_catalog.pg_namespace AS rn ON rn.oid = rc.relnamespace
            LEFT JOIN pg_catalog.pg_attribute AS ra ON ra.attrelid = c.confrelid AND ra.attnum = c.confkey[k.n]
            WHERE c.conrelid = $1::regclass AND c.contype IN ('f', 'c') ORDER BY c.oid, k.n
            """, [relation]).named
        for id in uniqued(constraints.compactMap { $0["id"] }) {
            let rows = constraints.filter { $0["id"] == id }
            if rows[0]["kind"] == "c" {
                self.checked.formUnion(rows.compactMap { $0["column"] })
            } else {
                self.foreignKeys.append(ForeignKey(columns: rows.compactMap { $0["column"] }, refSchema: rows[0]["ref_schema"] ?? "",
                                                    refTable: rows[0]["ref_table"] ?? "", refColumns: rows.compactMap { $0["ref_column"] },
                                                    matchFull: rows[0]["match"] == "f"))
            }
        }
    }

    /// Partitioning: every partitioned level's key columns (expression keys, attnum 0, are left out), and the
    /// direct partitions with their bounds.
    mutating func readPartitioning(_ db: Connection, relation: String) throws {
        let keys = try db.query("""
            SELECT p.relid = $1::regclass AS top, pt.partstrat::text AS strategy, a.attname AS column
            FROM pg_catalog.pg_partition_tree($1::regclass) AS p
            JOIN pg_catalog.pg_partitioned_table AS pt ON pt.partrelid = p.relid
            CROSS JOIN LATERAL unnest(pt.partattrs::int2[]) WITH ORDINALITY AS k(attnum, n)
            JOIN pg_catalog.pg_attribute AS a ON a.attrelid = pt.partrelid AND a.attnum = k.attnum
            ORDER BY p.level, p.relid, k.n
            """, [relation]).named
        if !keys.isEmpty {
            self.partitionColumns = uniqued(keys.compactMap { $0["column"] })
            let top = keys.filter { $0.bool("top") }
            self.topPartitionColumns = top.compactMap { $0["column"] }
            self.strategy = top.first?["strategy"] ?? "r"
            self.partitions = try db.query("""
                SELECT c.oid::regclass::text AS name, pg_catalog.pg_get_expr(c.relpartbound, c.oid) AS bound
                FROM pg_catalog.pg_inherits AS i JOIN pg_catalog.pg_class AS c ON c.oid = i.inhrelid
                WHERE i.inhparent = $1::regclass ORDER BY c.oid
                """, [relation]).named.map { Partition(name: $0["name"] ?? "", bound: $0["bound"] ?? "") }
        }
    }
}
