import Deploy
import Foundation
import PolicyGen
import Postgres
import Quoting
import Tenantwall

/// Builds the benchmark's synthetic multi-tenant dataset in a scratch database: the spec applied with
/// tenantwall's generated policies, rows for every tenant table, and a contrast role whose policies are written
/// the way they often are in the field (a `VOLATILE` plpgsql helper around `current_setting`).
///
/// Tenant sizes are skewed: tenant k's share of rows falls off as a power law (a few large tenants, many
/// small), as in real SaaS data. Time-series rows spread over a window the partitions cover, so range scans and
/// aggregates prune partitions as they would in production.
public struct BenchDataset {
    public let spec: Spec
    public let targets: BenchTargets
    public let rows: Int
    public let tenants: Int
    public var extraSQL: String?

    /// A tenant and up to 200 keys of its rows in the point table, largest tenants first.
    public struct Sample: Sendable {
        public var tenant: String
        public var rows: Int
        public var keys: [String]
    }

    public init(spec: Spec, rows: Int, tenants: Int) {
        self.spec = spec
        self.targets = BenchTargets(spec: spec)
        self.rows = rows
        self.tenants = tenants
    }

    var tenantType: String { spec.tenancy.type.rawValue }

    /// Rows per tenant table: the time-series table gets the most, the point table a quarter as many, any other
    /// tenant table a little, so every policy has rows behind it.
    public func plannedRows() -> [(table: Table, rows: Int)] {
        let tables = spec.tables.filter { $0.isolation == .tenant }
        func weight(_ t: Table) -> Double {
            if t.qualifiedName == targets.series?.table.qualifiedName { return targets.point == nil ? 4 : 3 }
            if t.qualifiedName == targets.point?.table.qualifiedName { return targets.series == nil ? 4 : 1 }
            return 0.25
        }
        let total = tables.map(weight).reduce(0, +)
        return tables.map { ($0, max(tenants, Int(Double(rows) * weight($0) / max(total, 1)))) }
    }

    /// The time window rows spread over, as SQL: what the partitions or chunks cover, at most 90 days.
    func window(_ table: Table) -> String {
        if let p = table.partitioning {
            let count = p.manager == .pg_partman ? max(1, p.premake) : 30
            return "LEAST(interval '90 days', \(count) * interval \(SQL.literal(p.interval)))"
        }
        if let h = table.hypertable { return "LEAST(interval '90 days', 30 * interval \(SQL.literal(h.chunkInterval)))" }
        return "interval '85 days'"
    }

    /// Applies the spec, loads the rows, adds the baseline and contrast roles (unless `comparisons` is false: a
    /// dataset for other tests, on any example, walled hypertables included), and analyses everything.
    /// Returns what was loaded per table.
    public func create(on db: Connection, comparisons: Bool = true, progress: (String) -> Void = { _ in }) throws -> [(table: String, rows: Int)] {
        let base = SQL.ident(BenchSpec.baselineRole), naive = SQL.ident(BenchSpec.contrastRole)
        // On Citus the coordinator reaches the workers as the session's role: every role that queries logs in.
        let login = spec.tenancy.citus ? "LOGIN" : "NOLOGIN"
        try db.execute("""
            DO $$ BEGIN
                IF NOT EXISTS (SELECT 1 FROM pg_roles WHERE rolname = \(SQL.literal(BenchSpec.baselineRole))) THEN CREATE ROLE \(base) \(login) BYPASSRLS; END IF;
                IF NOT EXISTS (SELECT 1 FROM pg_roles WHERE rolname = \(SQL.literal(BenchSpec.contrastRole))) THEN CREATE ROLE \(naive) \(login); END IF;
            END $$
            """)
        try LiveDatabase(connection: db).apply(spec)
        try db.execute("SET TimeZone = 'UTC'; SET synchronous_commit = off; SELECT pg_catalog.setseed(0.42)")
        for table in spec.tables where table.partitioning?.manager == .native {
            try db.execute(pastPartitions(table, table.partitioning!))
        }
        if let owner = spec.tables.first(where: { $0.isolation == .self }) {
            try db.execute(load(owner, rows: tenants, tenantOf: "(g - 1)", key: owner.key ?? "id"))
        }
        var loaded: [(String, Int)] = []
        for (table, count) in plannedRows() {
            progress("loading \(count) rows into \(table.qualifiedName) …")
            let n = try db.execute(load(table, rows: count, tenantOf: BenchValues.skewedTenant(count: tenants), key: spec.tenancy.column)).affectedRows
            loaded.append((table.qualifiedName, n))
        }
        if comparisons {
            try db.execute(contrastSQL())
            try db.execute(comparisonSQL())
        }
        if let extraSQL { try db.execute(extraSQL) }
        try db.execute("RESET synchronous_commit")
        progress("analysing …")
        try db.execute("VACUUM ANALYZE")
        return loaded
    }

    /// `INSERT … SELECT` over `generate_series` into where the table's rows live, with a value for every column
    /// that has a generator; rows that collide on a key (time columns in a primary key, say) are skipped.
    func load(_ table: Table, rows: Int, tenantOf k: String, key tenantColumn: String) throws -> String {
        // Where the rows live: a walled hypertable's view admits no row without a tenant context.
        let storage = table.storage(tenancy: spec.tenancy)
        var columns = [SQL.ident(tenantColumn)], values = [BenchValues.tenantExpression(k, type: spec.tenancy.type)]
        for column in table.columns where column.name != tenantColumn && column.defaultValue != .function("identity") {
            if let value = BenchValues.load(column.type, time: window(table)) {
                columns.append(SQL.ident(column.name))
                values.append(value)
            } else if column.notNull && column.defaultValue == nil {
                throw ToolError("bench: cannot generate values of type \(column.type) for \(table.qualifiedName).\(column.name)")
            }
        }
        return """
            INSERT INTO \(SQL.qualified(storage.schema, storage.name)) (\(columns.joined(separator: ", ")))
                SELECT \(values.joined(separator: ", ")) FROM pg_catalog.generate_series(1, \(rows)) AS g
                ON CONFLICT DO NOTHING
            """
    }

    /// Partitions behind the current one, back over the data window, named as `ensure_partitions()` names
    /// them (so later maintenance recognises them); secured by the event trigger like any other.
    func pastPartitions(_ table: Table, _ p: Partitioning) -> String {
        """
        DO $tw$
        DECLARE
            parent regclass := \(SQL.regclass(table.schema, table.name));
            step interval := \(SQL.literal(p.interval));
            unit text := CASE WHEN step >= interval '1 year' THEN 'year' WHEN step >= interval '1 month' THEN 'month'
                              WHEN step >= interval '7 days' THEN 'week' WHEN step >= interval '1 day' THEN 'day' ELSE 'hour' END;
            label text := CASE unit WHEN 'year' THEN 'YYYY' WHEN 'month' THEN 'YYYYMM' WHEN 'hour' THEN 'YYYYMMDD"h"HH24' ELSE 'YYYYMMDD' END;
            high timestamp := date_trunc(unit, now() AT TIME ZONE 'UTC');
            oldest timestamp := (now() - \(window(table))) AT TIME ZONE 'UTC';
            low timestamp;
            base text;
            nsp name;
        BEGIN
            SELECT n.nspname, c.relname INTO nsp, base FROM pg_class AS c JOIN pg_namespace AS n ON n.oid = c.relnamespace WHERE c.oid = parent;
            WHILE octet_length(base) > 48 LOOP base := left(base, -1); END LOOP;
            WHILE high > oldest LOOP
                low := high - step;
                IF to_regclass(format('%I.%I', nsp, base || '_p' || to_char(low, label))) IS NULL THEN
                    EXECUTE format('CREATE TABLE %I.%I PARTITION OF %s FOR VALUES FROM (%L) TO (%L)', nsp, base || '_p' || to_char(low, label), parent,
                                   to_char(low, 'YYYY-MM-DD HH24:MI:SS') || '+00', to_char(high, 'YYYY-MM-DD HH24:MI:SS') || '+00');
                END IF;
                high := low;
            END LOOP;
        END
        $tw$
        """
    }

    /// The contrast: the policy style common in the field, a VOLATILE plpgsql helper around current_setting,
    /// on every tenant table; and the grants the baseline and contrast roles need.
    func contrastSQL() -> String {
        let base = SQL.ident(BenchSpec.baselineRole), naive = SQL.ident(BenchSpec.contrastRole)
        let function = "public.tw_bench_naive_tenant()"
        var sql = ["""
            CREATE OR REPLACE FUNCTION \(function) RETURNS \(tenantType) LANGUAGE plpgsql AS
                $tw$ BEGIN RETURN current_setting(\(SQL.literal(spec.tenancy.setting)))::\(tenantType); END $tw$
            """]
        // Writing through a hypertable needs USAGE on its chunk schema (TimescaleDB looks chunks up by name).
        let schemas = uniqued(spec.tables.map(\.schema) + [spec.tenancy.helperSchema, "public"]
                              + spec.tables.compactMap { $0.hypertable?.chunkSchema(tenancy: spec.tenancy) })
        sql.append("GRANT USAGE ON SCHEMA \(SQL.identList(schemas)) TO \(base), \(naive)")
        for table in spec.tables where table.isolation == .tenant {
            let name = SQL.qualified(table.schema, table.name), column = SQL.ident(spec.tenancy.column)
            let check = "\(column) = \(function)" + (table.restrict.map { " AND (\($0))" } ?? "")
            sql.append("GRANT SELECT, INSERT, UPDATE ON \(name) TO \(base), \(naive)")
            sql.append("CREATE POLICY tw_bench_naive ON \(name) TO \(naive) USING (\(check)) WITH CHECK (\(check))")
        }
        return sql.joined(separator: ";\n")
    }

    /// The comparison modes, with the native extension: the same tenant predicate on inline helpers (their own
    /// schema, the sub-select form), and with the signed binding the native context reader. Each has a role
    /// of its own with the contrast's grants, and a policy for it on every tenant table.
    func comparisonSQL() -> String {
        let modes = BenchRunner.Mode.measured(for: spec.tenancy)
        guard modes.contains(.inline) else { return "SELECT 1" }
        let inline = SQL.ident(BenchSpec.inlineSchema)
        var sql = ["CREATE SCHEMA IF NOT EXISTS \(inline)"]
        sql += Generator(spec: inlineSpec).sections().flatMap(\.statements).filter { $0.object == .helpers }.map(\.sql)
        let readers: [(BenchRunner.Mode, String)] = [
            (.inline, "(SELECT \(SQL.qualified(BenchSpec.inlineSchema, "current_tenant_id"))())"),
            (.context, "\(SQL.qualified(spec.tenancy.helperSchema, "context_" + spec.tenancy.type.rawValue))(\(SQL.literal(spec.tenancy.setting)))"),
        ].filter { modes.contains($0.0) }
        let schemas = uniqued(spec.tables.map(\.schema) + [spec.tenancy.helperSchema, BenchSpec.inlineSchema, "public"]
                              + spec.tables.compactMap { $0.hypertable?.chunkSchema(tenancy: spec.tenancy) })
        for (mode, reader) in readers {
            let role = SQL.ident(mode.role)
            sql.append("DO $tw$ BEGIN IF NOT EXISTS (SELECT 1 FROM pg_roles WHERE rolname = \(SQL.literal(mode.role))) THEN CREATE ROLE \(role) NOLOGIN; END IF; END $tw$")
            sql.append("GRANT USAGE ON SCHEMA \(SQL.identList(schemas)) TO \(role)")
            sql.append("GRANT EXECUTE ON ALL FUNCTIONS IN SCHEMA \(inline) TO \(role)")
            for table in spec.tables where table.isolation == .tenant {
                let name = SQL.qualified(table.schema, table.name)
                let check = "\(SQL.ident(spec.tenancy.column)) = \(reader)" + (table.restrict.map { " AND (\($0))" } ?? "")
                sql.append("GRANT SELECT, INSERT, UPDATE ON \(name) TO \(role)")
                sql.append("CREATE POLICY \(SQL.ident("tw_bench_" + mode.rawValue)) ON \(name) TO \(role) USING (\(check)) WITH CHECK (\(check))")
            }
        }
        return sql.joined(separator: ";\n")
    }

    /// The inline comparison mode's copy of the spec (for its signing keys).
    var inlineSpec: Spec {
        var inlineSpec = spec
        inlineSpec.tenancy.helpers = .inline
        inlineSpec.tenancy.helperSchema = BenchSpec.inlineSchema
        return inlineSpec
    }

    /// The tenants of the point table (else the time-series table) by size, largest first, with up to 200 of
    /// each one's keys.
    public func samples(on db: Connection) throws -> [Sample] {
        let column = SQL.ident(spec.tenancy.column)
        if let p = targets.point {
            let table = SQL.qualified(p.table.schema, p.table.name), key = SQL.ident(p.key)
            return try db.query("""
                SELECT \(column)::text AS tenant, count(*) AS rows, pg_catalog.json_agg(\(key)::text) FILTER (WHERE n <= 200) AS keys
                FROM (SELECT \(column), \(key), row_number() OVER (PARTITION BY \(column) ORDER BY \(key)) AS n FROM \(table)) AS s
                GROUP BY 1 ORDER BY 2 DESC, 1
                """).named.map { row in
                    let keys = (try? JSONSerialization.jsonObject(with: Data((row["keys"] ?? "[]").utf8))) as? [String] ?? []
                    return Sample(tenant: row["tenant"] ?? "", rows: row.int("rows") ?? 0, keys: keys)
                }
        }
        guard let s = targets.series else { return [] }
        return try db.query("SELECT \(column)::text AS tenant, count(*) AS rows FROM \(SQL.qualified(s.table.schema, s.table.name)) GROUP BY 1 ORDER BY 2 DESC, 1")
            .named.map { Sample(tenant: $0["tenant"] ?? "", rows: $0.int("rows") ?? 0, keys: []) }
    }
}
