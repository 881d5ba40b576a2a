import PolicyGen
import Postgres
import Quoting

/// Where verify on Citus records the probe rows it commits, so that a run killed with SIGKILL, or one whose
/// connection was lost, leaves nothing a later run cannot find.
///
/// Citus needs the probe rows committed (`TableProbe.run`), so they outlive a verifier that never reaches its
/// cleanup. Each table's seeding transaction also writes, in the same transaction, one row here per table it
/// wrote into: the table, its tenant column, the probe tenant ids, and the seeding session (its pid and start
/// time). The registry row and the probe rows therefore commit together or not at all. The normal end, Ctrl-C
/// and `leftovers` delete exactly those rows, by those tenant ids in those tables, and the registry row with
/// them.
///
/// A run is leftover when its seeding session no longer exists (`pg_stat_activity` has no backend with that
/// pid and start time): a verify running at the same time is never cleaned up under its feet.
///
/// Why a registry rather than recognising probe tenant ids: the ids are fixed (`ProbeValues.tenant`, e.g.
/// 910000 for bigint) and a real tenant may have one. Verify refuses to commit probe rows for an id that
/// already has rows (`Verifier.probeTenantsUnused`), so what the registry names was the probe's alone.
///
/// The table is tenantwall's own (schema `tenantwall_verify`, on the coordinator only); it holds no tenant
/// column, so coverage checks and audit leave it alone.
public enum ProbeRegistry {
    public static let schema = "tenantwall_verify"
    public static let table = "probe_rows"
    static var qualified: String { SQL.qualified(schema, table) }

    /// One table a run wrote probe rows into.
    public struct Entry: Sendable, Equatable {
        public var run: String
        public var schema: String
        public var table: String
        public var column: String
        public var tenants: [String]
        /// Deletion order within a run: the probed table (0) before the tables its rows point at.
        public var position: Int

        public var qualifiedTable: String { SQL.qualified(schema, table) }
        /// The DELETE that removes these probe rows (the ids compared as text: no cast to the tenant type).
        var removal: String { "DELETE FROM \(qualifiedTable) WHERE \(SQL.ident(column))::text = ANY (\(SQL.literal("{" + tenants.map(arrayElement).joined(separator: ",") + "}"))::text[])" }
    }

    /// What `leftovers` removed from one table.
    public struct Removal: Sendable, Equatable {
        public var run: String
        public var table: String
        public var rows: Int
    }

    /// Creates the schema and table when missing (idempotent; on Citus the schema reaches the workers, the
    /// table stays on the coordinator).
    public static func ensure(_ db: Connection) throws {
        try db.execute("""
            CREATE SCHEMA IF NOT EXISTS \(SQL.ident(schema));
            CREATE TABLE IF NOT EXISTS \(qualified) (
                run_id text NOT NULL, schema_name text NOT NULL, table_name text NOT NULL, scope_column text NOT NULL,
                tenants text[] NOT NULL, position int NOT NULL, pid int NOT NULL, backend_start timestamptz NOT NULL,
                recorded_at timestamptz NOT NULL DEFAULT now(),
                PRIMARY KEY (run_id, schema_name, table_name, scope_column))
            """)
    }

    /// Records `entry` as written by the current session (call inside the seeding transaction).
    static func record(_ db: Connection, _ entry: Entry) throws {
        try db.query("""
            INSERT INTO \(qualified) (run_id, schema_name, table_name, scope_column, tenants, position, pid, backend_start)
            SELECT $1, $2, $3, $4, $5::text[], $6::int, pg_backend_pid(), backend_start FROM pg_catalog.pg_stat_activity WHERE pid = pg_backend_pid()
            ON CONFLICT DO NOTHING
            """, [entry.run, entry.schema, entry.table, entry.column, "{" + entry.tenants.map(arrayElement).joined(separator: ",") + "}", String(entry.position)])
    }

    /// The DELETEs that remove a run's probe rows and its registry rows, in order (one script).
    static func removal(run: String, _ entries: [Entry]) -> String {
        (entries.sorted { $0.position < $1.position }.map(\.removal)
            + ["DELETE FROM \(qualified) WHERE run_id = \(SQL.literal(run))"]).joined(separator: "; ")
    }

    /// Removes the probe rows of every run whose seeding session is gone, each run in a transaction of its own,
    /// and returns what was removed per table (zero-row tables included: the registry named them). Nothing when
    /// the registry does not exist.
    public static func leftovers(_ db: Connection) throws -> [Removal] {
        guard try db.query("SELECT to_regclass($1) IS NOT NULL", [qualified]).flag else { return [] }
        let rows = try db.query("""
            SELECT r.run_id, r.schema_name, r.table_name, r.scope_column, array_to_string(r.tenants, chr(31)) AS tenants, r.position::text AS position
            FROM \(qualified) AS r
            WHERE NOT EXISTS (SELECT 1 FROM pg_catalog.pg_stat_activity AS a WHERE a.pid = r.pid AND a.backend_start = r.backend_start)
            ORDER BY r.run_id, r.position
            """).named
        let entries = rows.map { row in
            Entry(run: row["run_id"] ?? "", schema: row["schema_name"] ?? "", table: row["table_name"] ?? "", column: row["scope_column"] ?? "",
                  tenants: (row["tenants"] ?? "").split(separator: "\u{1F}").map(String.init), position: Int(row["position"] ?? "0") ?? 0)
        }
        var out: [Removal] = []
        for run in uniqued(entries.map(\.run)) {
            let mine = entries.filter { $0.run == run }.sorted { $0.position < $1.position }
            try db.transaction {
                for entry in mine where try db.query("SELECT to_regclass($1) IS NOT NULL", [entry.qualifiedTable]).flag {
                    out.append(Removal(run: run, table: entry.schema + "." + entry.table, rows: try db.query(entry.removal).affectedRows))
                }
                try db.query("DELETE FROM \(qualified) WHERE run_id = $1", [run])
            }
        }
        return out
    }

    /// The runs whose seeding session still exists (a verify in progress, or one the server has not yet seen
    /// end): their probe rows are left alone.
    public static func running(_ db: Connection) throws -> [String] {
        guard try db.query("SELECT to_regclass($1) IS NOT NULL", [qualified]).flag else { return [] }
        return try db.query("""
            SELECT DISTINCT r.run_id FROM \(qualified) AS r
            JOIN pg_catalog.pg_stat_activity AS a ON a.pid = r.pid AND a.backend_start = r.backend_start ORDER BY 1
            """).rows.compactMap { $0[0] }
    }

    /// A value inside a text[] literal, double-quoted with its quotes and backslashes escaped.
    static func arrayElement(_ value: String) -> String {
        "\"" + value.replacingOccurrences(of: "\\", with: "\\\\").replacingOccurrences(of: "\"", with: "\\\"") + "\""
    }
}
