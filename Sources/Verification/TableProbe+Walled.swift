import PolicyGen
import Postgres
import Quoting

/// What the engine does differently for a walled hypertable (`Table.isWalled`, issue #25): the table's name is a
/// view with `WITH CHECK OPTION` over a storage hypertable without RLS. The session's statements still name the
/// table (the view); the verifier reads, seeds and lists chunks on the storage, where the rows are; and a
/// cross-tenant write through the view is refused by the check option (44000), a wall there and only there.
extension TableProbe {
    /// The storage of a walled table when it exists; nil for any other table, or when it is missing (the
    /// `wall-view` check says so, and the probes then try the table's name as it is).
    static func storage(of table: Table, spec: Spec, _ connection: Connection) -> (schema: String, name: String)? {
        guard table.isWalled else { return nil }
        let storage = table.storage(tenancy: spec.tenancy)
        let exists = (try? connection.query("SELECT pg_catalog.to_regclass($1) IS NOT NULL", [SQL.qualified(storage.schema, storage.name)]).flag) ?? false
        return exists ? storage : nil
    }

    /// The relation the verifier reads rows from: the storage behind a wall view, else the table.
    var source: String { storage.map { SQL.qualified($0.schema, $0.name) } ?? name }

    /// The SQLSTATEs that count as a wall refusing a write: the check option's 44000 only where the spec walls
    /// the table (elsewhere a 44000 comes from a view that is not the wall and proves nothing).
    var wallCodes: [String] { table.isWalled ? ["42501", "44000"] : ["42501"] }

    func refusedByWall(_ error: PostgresError?) -> Bool { error.map { wallCodes.contains($0.sqlState ?? "") } ?? false }

    /// The pgTAP form of `refusedByWall` over a captured slot.
    func tapRefused(_ slot: String) -> String { "(" + wallCodes.map { "\(slot) = 'ERR:\($0)'" }.joined(separator: " OR ") + ")" }

    /// The table's partitions and chunks (direct children of the table, or of a walled table's storage), oldest
    /// first.
    func children() throws -> [String] {
        try connection.query("""
            SELECT c.oid::regclass::text FROM pg_catalog.pg_inherits AS i JOIN pg_catalog.pg_class AS c ON c.oid = i.inhrelid
            WHERE i.inhparent = $1::regclass AND c.relkind IN ('r', 'p') ORDER BY c.oid
            """, [source]).rows.compactMap { $0[0] }
    }

    /// A walled table's compressed chunks (`_timescaledb_catalog.chunk.compressed_chunk_id` of its chunks), which
    /// hold every tenant's rows in TimescaleDB's compressed form and carry only the owner's privileges.
    func compressedChunks() throws -> [String] {
        guard let storage else { return [] }
        let catalog = try connection.query("SELECT pg_catalog.to_regclass('_timescaledb_catalog.chunk') IS NOT NULL").flag
        guard catalog else { return [] }
        return try connection.query("""
            SELECT pg_catalog.format('%I.%I', z.schema_name, z.table_name) FROM _timescaledb_catalog.chunk AS c
            JOIN _timescaledb_catalog.hypertable AS h ON h.id = c.hypertable_id
            JOIN _timescaledb_catalog.chunk AS z ON z.id = c.compressed_chunk_id
            WHERE h.schema_name = $1 AND h.table_name = $2
              AND pg_catalog.to_regclass(pg_catalog.format('%I.%I', z.schema_name, z.table_name)) IS NOT NULL ORDER BY z.id
            """, [storage.schema, storage.name]).rows.compactMap { $0[0] }
    }
}
