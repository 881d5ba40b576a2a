import Quoting

/// The statements that give a single-tenant table a tenant column without a long lock: what
/// `tenantwall tenant-column add` runs step by step and what `--emit-migration` writes as one file.
///
/// Adding `tenant_id NOT NULL` in one statement rewrites or scans the table under an ACCESS EXCLUSIVE lock, and
/// every query of the application queues behind it. Each step here holds that lock only for a catalog change:
/// the column is added nullable with no default (no rewrite), filled in small batches that each commit, proven
/// non-null by a `NOT VALID` check validated under SHARE UPDATE EXCLUSIVE (reads and writes go on), made
/// `NOT NULL` through that check (PostgreSQL 12+ skips the scan), and indexed `CONCURRENTLY`.
///
/// Rows the application writes during the fill take the tenant from a fill-in installed right after the column:
/// a `DEFAULT` for a constant tenant (metadata only), a `BEFORE INSERT OR UPDATE` trigger that reads the parent's
/// tenant for the parent form. It stays after the run unless asked to drop it, because an application that does
/// not name the column yet would otherwise fail on `NOT NULL`.
///
///     let plan = TenantColumnPlan(schema: "public", table: "invoices", column: "tenant_id", type: "bigint",
///                                 source: .constant("42"), batchSize: 10_000)
///     print(plan.migration(lockTimeout: "2s", lockRetries: 5))
public struct TenantColumnPlan: Sendable, Equatable {
    /// Where each row's tenant comes from.
    public enum Source: Sendable, Equatable {
        /// The whole table belongs to one tenant.
        case constant(String)
        /// Each row takes the tenant of the parent row its `localColumn` points at.
        case parent(Parent)
    }

    /// A parent reached through one column: `localColumn` of the table equals `key` of `schema.table`, whose
    /// `tenantColumn` holds the tenant.
    public struct Parent: Sendable, Equatable {
        public var localColumn: String
        public var schema: String
        public var table: String
        public var key: String
        public var tenantColumn: String
        public init(localColumn: String, schema: String, table: String, key: String, tenantColumn: String) {
            self.localColumn = localColumn
            self.schema = schema
            self.table = table
            self.key = key
            self.tenantColumn = tenantColumn
        }
    }

    public var schema: String
    public var table: String
    public var column: String
    /// The column's SQL type as `format_type` spells it (`uuid`, `bigint`, `text`): taken from the spec's
    /// tenancy or from the parent's column in the catalog, never from free text.
    public var type: String
    public var source: Source
    public var batchSize: Int

    public init(schema: String, table: String, column: String, type: String, source: Source, batchSize: Int) {
        self.schema = schema
        self.table = table
        self.column = column
        self.type = type
        self.source = source
        self.batchSize = batchSize
    }

    var relation: String { SQL.qualified(schema, table) }
    var col: String { SQL.ident(column) }

    // MARK: names of what the run creates (stable, so a rerun finds them)

    /// The temporary `CHECK (col IS NOT NULL)`.
    public var checkName: String { Self.name(table, column, "not_null") }
    /// The index on the column.
    public var indexName: String { Self.name(table, column, "idx") }
    /// The fill-in trigger and its function (parent form).
    public var triggerName: String { Self.name("tw_fill", table, column) }

    /// `a_b_c`, cut to PostgreSQL's 63 bytes with a short hash of the whole so that two long names stay apart.
    static func name(_ parts: String...) -> String {
        let full = parts.joined(separator: "_")
        guard full.utf8.count > 63 else { return full }
        var hash: UInt32 = 2_166_136_261
        for byte in full.utf8 { hash = (hash ^ UInt32(byte)) &* 16_777_619 }
        let suffix = "_" + String(hash, radix: 16)
        var prefix = ""
        for ch in full where (prefix + String(ch)).utf8.count + suffix.utf8.count <= 63 { prefix.append(ch) }
        return prefix + suffix
    }

    // MARK: statements, one per step

    /// Step 1: nullable, no default, so no rewrite and a lock held only for the catalog change.
    public var addColumn: String { "ALTER TABLE \(relation) ADD COLUMN IF NOT EXISTS \(col) \(type)" }

    /// The fill-in for rows written during (and after) the run: one or two statements.
    public var installFill: [String] {
        switch source {
        case .constant(let id):
            return ["ALTER TABLE \(relation) ALTER COLUMN \(col) SET DEFAULT \(SQL.literal(id))::\(type)"]
        case .parent(let p):
            let function = SQL.qualified(schema, triggerName)
            let body = """

                BEGIN
                  IF NEW.\(col) IS NULL THEN
                    SELECT p.\(SQL.ident(p.tenantColumn)) INTO NEW.\(col) FROM \(SQL.qualified(p.schema, p.table)) p WHERE p.\(SQL.ident(p.key)) = NEW.\(SQL.ident(p.localColumn));
                  END IF;
                  RETURN NEW;
                END

                """
            return [
                "CREATE OR REPLACE FUNCTION \(function)() RETURNS trigger LANGUAGE plpgsql SET search_path = pg_catalog AS \(SQL.dollarQuoted(body))",
                "CREATE OR REPLACE TRIGGER \(SQL.ident(triggerName)) BEFORE INSERT OR UPDATE ON \(relation) FOR EACH ROW EXECUTE FUNCTION \(function)()",
            ]
        }
    }

    /// Removes the fill-in (`--drop-fill`), once the application writes the column itself.
    public var dropFill: [String] {
        switch source {
        case .constant: return ["ALTER TABLE \(relation) ALTER COLUMN \(col) DROP DEFAULT"]
        case .parent:
            return ["DROP TRIGGER IF EXISTS \(SQL.ident(triggerName)) ON \(relation)",
                    "DROP FUNCTION IF EXISTS \(SQL.qualified(schema, triggerName))()"]
        }
    }

    /// The rows a batch may fill: still NULL and, for the parent form, with a parent that has a tenant, so that an
    /// orphan row cannot stall the loop (the check of step 3 then refuses, naming them).
    public var pickNulls: String {
        let pick = "SELECT t.ctid FROM \(relation) t WHERE t.\(col) IS NULL"
        guard case .parent(let p) = source else { return pick }
        return pick + " AND EXISTS (SELECT 1 FROM \(SQL.qualified(p.schema, p.table)) q WHERE q.\(SQL.ident(p.key)) = t.\(SQL.ident(p.localColumn)) AND q.\(SQL.ident(p.tenantColumn)) IS NOT NULL)"
    }

    /// Step 2, one batch of at most `batchSize` rows, in its own transaction. A batch that fills nothing while
    /// `pickNulls` still finds rows lost them to concurrent updates (their new versions have new ctids): the
    /// loop goes on until `pickNulls` is empty.
    public var fillBatch: String {
        let picked = "ctid = ANY(ARRAY(\(pickNulls) LIMIT \(batchSize)))"
        switch source {
        case .constant(let id):
            return "UPDATE \(relation) SET \(col) = \(SQL.literal(id))::\(type) WHERE \(picked)"
        case .parent(let p):
            return "UPDATE \(relation) c SET \(col) = p.\(SQL.ident(p.tenantColumn)) FROM \(SQL.qualified(p.schema, p.table)) p"
                + " WHERE p.\(SQL.ident(p.key)) = c.\(SQL.ident(p.localColumn)) AND c.\(picked)"
        }
    }

    /// Whether any row is left for the fill.
    public var anyToFill: String { "SELECT EXISTS (\(pickNulls))" }

    /// Rows still without a tenant (after the fill: orphans of the parent form).
    public var countNulls: String { "SELECT count(*) FROM \(relation) WHERE \(col) IS NULL" }

    /// Step 3: the proof, cheap to add, validated without blocking reads or writes.
    public var addCheck: String { "ALTER TABLE \(relation) ADD CONSTRAINT \(SQL.ident(checkName)) CHECK (\(col) IS NOT NULL) NOT VALID" }
    public var validateCheck: String { "ALTER TABLE \(relation) VALIDATE CONSTRAINT \(SQL.ident(checkName))" }
    /// Step 4: no scan thanks to the validated check; then the check is redundant.
    public var setNotNull: String { "ALTER TABLE \(relation) ALTER COLUMN \(col) SET NOT NULL" }
    public var dropCheck: String { "ALTER TABLE \(relation) DROP CONSTRAINT IF EXISTS \(SQL.ident(checkName))" }
    /// Step 5: outside a transaction; an invalid index left by an interrupted build is dropped first.
    public var dropIndex: String { "DROP INDEX CONCURRENTLY IF EXISTS \(SQL.qualified(schema, indexName))" }
    /// No `IF NOT EXISTS`: a build that ran out of lock timeout leaves an INVALID index of this name, which
    /// `IF NOT EXISTS` would take as done. The run drops it first; a migration's retry fails loudly instead.
    public var createIndex: String { "CREATE INDEX CONCURRENTLY \(SQL.ident(indexName)) ON \(relation) (\(col))" }
}
