import PolicyGen
import Postgres
import Quoting

/// Citus: what every shard placement of a distributed table must carry, compared with the coordinator's table:
/// row-level security enabled and forced, and the same policies (name, command, permissive or restrictive,
/// roles, expressions). Citus creates them on every placement, for new shards too; a placement edited by hand on
/// a worker, or a policy Citus carried over wrongly (it made RESTRICTIVE ones PERMISSIVE, 13.0.5), differs.
public enum CitusPlacements {
    /// The description of one table's walls, with `%1$s` for the relation (coordinator table or shard).
    static let walls = """
        SELECT c.relrowsecurity::text || ' ' || c.relforcerowsecurity::text || ' ' || COALESCE((
            SELECT pg_catalog.string_agg(p.polname || ':' || p.polcmd::text || ':' || p.polpermissive::text || ':'
                || pg_catalog.array_to_string(ARRAY(SELECT pg_catalog.pg_get_userbyid(r) FROM pg_catalog.unnest(p.polroles) AS r ORDER BY 1), ',') || ':'
                || COALESCE(pg_catalog.pg_get_expr(p.polqual, p.polrelid), '') || ':' || COALESCE(pg_catalog.pg_get_expr(p.polwithcheck, p.polrelid), ''),
                ' | ' ORDER BY p.polname)
            FROM pg_catalog.pg_policy AS p WHERE p.polrelid = c.oid), '')
        FROM pg_catalog.pg_class AS c WHERE c.oid = '%1$s'::regclass
        """

    /// Whether the server is a Citus coordinator.
    public static func installed(_ connection: Connection) throws -> Bool {
        try connection.query("SELECT count(*) FROM pg_catalog.pg_extension WHERE extname = 'citus'").scalar == "1"
    }

    public static let consistent = "every placement matches the coordinator's table"

    /// For a distributed table and each of its partitions (distributed with it): `consistent`, or which
    /// placements differ and how. Read outside any transaction that changed the table: Citus runs the command on
    /// the placements over connections of its own, which do not see the caller's uncommitted changes.
    public static func state(_ connection: Connection, table: String) throws -> String {
        let relations = try connection.query("""
            SELECT t.relid::regclass::text AS relation FROM pg_catalog.pg_partition_tree($1::regclass) AS t
            JOIN pg_catalog.pg_dist_partition AS d ON d.logicalrelid = t.relid ORDER BY t.level, 1
            """, [table]).named.compactMap { $0["relation"] }
        var reports: [String] = []
        for relation in relations.isEmpty ? [table] : relations {
            if let report = try differences(connection, relation: relation) {
                reports.append(relation == table ? report : "partition \(relation): " + report)
            }
        }
        return reports.isEmpty ? consistent : reports.joined(separator: "\n")
    }

    /// One relation's placements that differ from it on the coordinator, or nil when none does.
    static func differences(_ connection: Connection, relation: String) throws -> String? {
        // On the coordinator the relation is a bind parameter; run_command_on_placements fills `%1$s` itself.
        let expected = try connection.query(walls.replacingOccurrences(of: "'%1$s'", with: "$1"), [relation]).scalar ?? ""
        let rows = try connection.query("""
            SELECT shardid::text AS shard, nodename || ':' || nodeport::text AS node, success, result
            FROM pg_catalog.run_command_on_placements($1::regclass, $2) ORDER BY shardid, nodename, nodeport
            """, [relation, walls]).named
        let differing = rows.filter { !$0.bool("success") || $0["result"] != expected }
        if differing.isEmpty { return nil }
        return "\(differing.count) of \(rows.count) placements differ from the coordinator's table:\n"
            + differing.prefix(5).map { "shard \($0["shard"] ?? "?") on \($0["node"] ?? "?"): \($0.bool("success") ? "" : "error: ")\($0["result"] ?? "")" }.joined(separator: "\n")
            + "\nexpected: \(expected)"
    }

    /// The tables the spec distributes that are distributed on this coordinator (one query for all).
    public static func distributedTables(_ connection: Connection, spec: Spec) throws -> [Table] {
        let tables = spec.tables.filter { $0.citusDistributionColumn(tenancy: spec.tenancy) != nil }
        let names = tables.map { SQL.qualified($0.schema, $0.name) }
        let present = Set(try connection.query("""
            SELECT n FROM pg_catalog.unnest($1::text[]) AS n
            WHERE pg_catalog.to_regclass(n) IN (SELECT logicalrelid FROM pg_catalog.pg_dist_partition)
            """, [SQL.textArray(names)]).rows.compactMap { $0[0] })
        return tables.filter { present.contains(SQL.qualified($0.schema, $0.name)) }
    }
}
