/// A row of the history table, `tenantwall_migrations.history`. The table's shape is a documented
/// contract (docs/migrations.md, "Migration history"): tools and dashboards may read it.
public struct HistoryRow: Sendable, Equatable {
    public var rank: Int
    public var version: Version?
    public var description: String
    /// `versioned`, `repeatable` or `baseline`.
    public var kind: String
    public var script: String
    public var checksum: String
    public var appliedBy: String
    public var appliedAt: String
    public var executionMs: Int
    public var success: Bool
    /// For a failed no-transaction file: the line of the statement it stopped at, and the error.
    public var failedLine: Int?
    public var error: String?

    public init(rank: Int, version: Version?, description: String, kind: String, script: String, checksum: String,
                appliedBy: String, appliedAt: String, executionMs: Int, success: Bool, failedLine: Int?, error: String?) {
        self.rank = rank
        self.version = version
        self.description = description
        self.kind = kind
        self.script = script
        self.checksum = checksum
        self.appliedBy = appliedBy
        self.appliedAt = appliedAt
        self.executionMs = executionMs
        self.success = success
        self.failedLine = failedLine
        self.error = error
    }
}

/// SQL for the history table: the schema is owned by the tool and created on first use.
public enum HistorySQL {
    public static let schema = "tenantwall_migrations"
    /// The advisory lock key every `tenantwall migrate` takes: the ASCII bytes of "tenantwl" as a bigint.
    public static let lockKey: Int64 = 0x7465_6E61_6E74_776C

    public static let create = """
        CREATE SCHEMA IF NOT EXISTS tenantwall_migrations;
        CREATE TABLE IF NOT EXISTS tenantwall_migrations.history (
            installed_rank bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
            version text,
            description text NOT NULL,
            kind text NOT NULL CHECK (kind IN ('versioned', 'repeatable', 'baseline')),
            script text NOT NULL,
            checksum text NOT NULL,
            applied_by name NOT NULL DEFAULT SESSION_USER,
            applied_at timestamptz NOT NULL DEFAULT now(),
            execution_ms integer NOT NULL DEFAULT 0,
            success boolean NOT NULL,
            failed_line integer,
            error text
        );
        """

    public static let exists = "SELECT to_regclass('tenantwall_migrations.history') IS NOT NULL"

    public static let select = """
        SELECT installed_rank, version, description, kind, script, checksum, applied_by, applied_at::text AS applied_at,
               execution_ms, success, failed_line, error
        FROM tenantwall_migrations.history ORDER BY installed_rank
        """

    public static let insert = """
        INSERT INTO tenantwall_migrations.history (version, description, kind, script, checksum, execution_ms, success, failed_line, error)
        VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9) RETURNING installed_rank
        """

    /// Before each statement of a file: the line it is on, and what the row says if the run never comes back.
    public static let markStatement = "UPDATE tenantwall_migrations.history SET failed_line = $2, error = $3 WHERE installed_rank = $1"
    /// After a statement failed: the server's error and the time spent.
    public static let recordFailure = "UPDATE tenantwall_migrations.history SET error = $2, execution_ms = $3 WHERE installed_rank = $1"
    public static let recordSuccess = "UPDATE tenantwall_migrations.history SET success = true, failed_line = NULL, error = NULL, execution_ms = $2 WHERE installed_rank = $1"
    public static let count = "SELECT count(*) FROM tenantwall_migrations.history"
    /// `repair`: forget a failed run, or accept a changed file's checksum.
    public static let forget = "DELETE FROM tenantwall_migrations.history WHERE installed_rank = $1"
    public static let acceptChecksum = "UPDATE tenantwall_migrations.history SET checksum = $2 WHERE installed_rank = $1"

    /// A row of `select`, by column name.
    public static func row(_ r: [String: String?]) -> HistoryRow {
        func text(_ name: String) -> String? { r[name] ?? nil }
        return HistoryRow(rank: Int(text("installed_rank") ?? "0") ?? 0, version: text("version").flatMap(Version.init),
                          description: text("description") ?? "", kind: text("kind") ?? "", script: text("script") ?? "",
                          checksum: text("checksum") ?? "", appliedBy: text("applied_by") ?? "", appliedAt: text("applied_at") ?? "",
                          executionMs: Int(text("execution_ms") ?? "0") ?? 0, success: text("success") == "t",
                          failedLine: text("failed_line").flatMap { Int($0) }, error: text("error"))
    }
}
