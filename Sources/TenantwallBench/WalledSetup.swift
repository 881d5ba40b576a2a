import Foundation
import PolicyGen
import Postgres
import Quoting
import Tenantwall

/// Builds the walled copies of the time-series hypertable beside its RLS form, on the same rows, compresses the
/// second copy's chunks older than `compression.after`, and measures storage; then gives the hypertable
/// workloads with keys sampled from the window they read.
struct WalledSetup {
    let spec: Spec
    let series: BenchTargets.Series
    let compression: Compression
    /// The spec asked for no compression: the design's defaults stand in.
    let defaulted: Bool
    let walled: WalledForm
    let compressed: WalledForm
    var queries: HypertableWorkloads

    init?(spec: Spec, series: BenchTargets.Series, compression: Compression?) {
        guard let h = series.table.hypertable else { return nil }
        self.spec = spec
        self.series = series
        defaulted = compression == nil
        let compression = compression ?? Compression()
        self.compression = compression
        let base = String(series.table.name.utf8.prefix(51)) ?? series.table.name
        walled = WalledForm(spec: spec, table: series.table, hypertable: h, compression: compression, name: series.table.name)
        compressed = WalledForm(spec: spec, table: series.table, hypertable: h, compression: compression, name: base + "_compressed")
        queries = HypertableWorkloads(spec: spec, series: series, walled: walled, compressed: compressed)
    }

    func size(_ db: Connection, _ form: (schema: String, name: String)) throws -> Int {
        Int(try db.query("SELECT hypertable_size(\(SQL.regclass(form.schema, form.name)))").scalar ?? "0") ?? 0
    }

    /// Builds both copies, loads them from the RLS form, compresses one, and says what it did.
    mutating func build(on db: Connection, progress: (String) -> Void) throws -> WalledSummary {
        queries.fixedHorizon = try db.query("SELECT (\(queries.horizon))::text").scalar
        let source = SQL.qualified(series.table.schema, series.table.name)
        for form in [walled, compressed] {
            progress("building the walled form \(form.viewName) over \(form.storageName) …")
            // The benchmark does the policies' work itself, at a known moment: the jobs are paused in the
            // transaction that adds them, so no background job compresses or drops a chunk while it measures.
            try db.execute("BEGIN")
            do {
                for statement in form.sql() { try db.execute(statement) }
                try db.query("SELECT pg_catalog.count(*) FROM timescaledb_information.jobs AS j, LATERAL alter_job(j.job_id, scheduled => false) AS a "
                             + "WHERE j.hypertable_schema = $1 AND j.hypertable_name = $2", [form.storage.schema, form.storage.name])
                try db.execute("COMMIT")
            } catch {
                _ = try? db.execute("ROLLBACK")
                throw error
            }
            for statement in form.indexSQL() { try db.execute(statement) }
            try db.execute("INSERT INTO \(form.storageName) SELECT * FROM \(source)")
        }
        progress("compressing \(compressed.storageName) (chunks older than \(compression.after)) …")
        let regclass = SQL.regclass(compressed.storage.schema, compressed.storage.name)
        try db.query("SELECT pg_catalog.count(compress_chunk(c)) FROM show_chunks(\(regclass), older_than => INTERVAL \(SQL.literal(compression.after))) AS c")
        for form in [walled, compressed] { try db.execute("VACUUM ANALYZE \(form.storageName)") }
        let stats = try db.query("""
            SELECT before_compression_total_bytes AS before, after_compression_total_bytes AS after, number_compressed_chunks AS chunks,
                   total_chunks AS total FROM hypertable_compression_stats(\(regclass))
            """).named.first
        let inWindow = try db.query("""
            SELECT pg_catalog.count(*) FROM timescaledb_information.chunks
            WHERE hypertable_schema = $1 AND hypertable_name = $2 AND range_end > \(queries.windowStart) AND range_start < \(queries.horizon)
            """, [walled.storage.schema, walled.storage.name]).scalar
        let rlsForm = (series.table.schema, series.table.name)
        return WalledSummary(
            table: series.table.qualifiedName, storage: walled.storageName, view: walled.viewName, compressedStorage: compressed.storageName,
            compressedView: compressed.viewName,
            predicate: try db.query("SELECT pg_catalog.pg_get_viewdef($1::regclass)", [walled.viewName]).scalar ?? "", compressionAfter: compression.after,
            segmentBy: compression.segmentColumns(tenantColumn: spec.tenancy.column), orderBy: compression.orderClause(timeColumn: series.time),
            window: "[\(queries.windowStart), \(queries.horizon))",
            rlsBytes: try size(db, rlsForm), walledBytes: try size(db, walled.storage), compressedBytes: try size(db, compressed.storage),
            beforeCompressionBytes: stats?.int("before") ?? 0, afterCompressionBytes: stats?.int("after") ?? 0,
            compressedChunks: stats?.int("chunks") ?? 0, totalChunks: stats?.int("total") ?? 0, chunksInWindow: Int(inWindow ?? "0") ?? 0,
            notes: defaulted ? ["the spec gives \(series.table.qualifiedName) no compression: its walled form measured with the design's defaults (after 7 days, segment_by the tenant column, order_by time DESC)"] : [])
    }

    /// The hypertable workloads, the point lookup with keys from the window.
    func workloads(on db: Connection, tenants: [BenchDataset.Sample]) throws -> [Workload] {
        let keys = try self.keys(on: db, tenants: tenants)
        return queries.workloads().map { workload in
            var workload = workload
            if workload.name == "hypertable-point" { workload.keys = keys }
            return workload
        }
    }

    /// Up to 200 keys per tenant of rows in the window; a tenant with none there looks up the largest tenant's
    /// keys (an index probe that finds nothing, as a real miss would).
    func keys(on db: Connection, tenants: [BenchDataset.Sample]) throws -> [String: [String]] {
        let column = SQL.ident(spec.tenancy.column), time = SQL.ident(series.time)
        let key = queries.keyColumns.map { "\(SQL.ident($0))::text" }.joined(separator: ", ")
        let rows = try db.query("""
            SELECT \(column)::text AS tenant, pg_catalog.json_agg(k) FILTER (WHERE n <= 200) AS keys
            FROM (SELECT \(column), pg_catalog.concat_ws(pg_catalog.chr(31), \(key)) AS k,
                         pg_catalog.row_number() OVER (PARTITION BY \(column) ORDER BY \(time)) AS n
                  FROM \(walled.storageName) WHERE \(queries.window)) AS s
            GROUP BY 1
            """).named
        var keys: [String: [String]] = [:]
        for row in rows {
            keys[row["tenant"] ?? ""] = (try? JSONSerialization.jsonObject(with: Data((row["keys"] ?? "[]").utf8))) as? [String] ?? []
        }
        let fallback = tenants.lazy.compactMap { keys[$0.tenant] }.first { !$0.isEmpty } ?? []
        for tenant in tenants where keys[tenant.tenant]?.isEmpty ?? true { keys[tenant.tenant] = fallback }
        return keys
    }
}
