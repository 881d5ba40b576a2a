import PolicyGen
import Postgres
import Quoting
import Tenantwall

/// The demo's derived data: rows for two demo tenants in each walled hypertable and each rollup's source, then
/// what tenantwall's walls make of them. A walled hypertable's older chunks are compressed and its continuous
/// aggregates refreshed, as the owner; a rollup is refreshed with `refresh_rollups()`, which runs as the owner.
/// Each is then read through its walled view as the application role with one tenant's context: it must show
/// exactly that tenant's share of what the owner reads, and nothing with no context. Verify runs after this, so
/// it also tries the compressed chunks and the aggregates' materializations by name.
struct DerivedDataDemo {
    let spec: Spec
    let connection: Connection
    /// The two demo tenants.
    let tenants: [String]

    /// One line per walled hypertable, aggregate and rollup; a failure when a view shows another tenant's rows,
    /// or any row without context.
    func run(into report: inout DemoRun.Report) throws {
        for table in spec.tables where table.isWalled {
            let storage = table.storage(tenancy: spec.tenancy)
            let hypertable = table.hypertable!
            try seed(table, into: SQL.qualified(storage.schema, storage.name), time: hypertable.timeColumn, step: "1 minute", rows: 24 * 60 * 14)
            let regclass = SQL.regclass(storage.schema, storage.name)
            var line = "walled \(table.qualifiedName) (its rows in \(storage.schema).\(storage.name), 14 days of them per demo tenant)"
            if let compression = hypertable.compression {
                let compressed = try ChunkCompression.compressOlderChunks(connection, hypertable: SQL.qualified(storage.schema, storage.name), olderThan: compression.after)
                // The chunks' own figures: the policy's job may have compressed some of them already.
                let sizes = try connection.query("""
                    SELECT pg_catalog.pg_size_pretty(before_compression_total_bytes), pg_catalog.pg_size_pretty(after_compression_total_bytes)
                    FROM hypertable_compression_stats(\(regclass))
                    """).rows.first
                line += ": \(compressed) chunks older than \(compression.after) compressed (\(sizes?[0] ?? "?") → \(sizes?[1] ?? "?"))"
            }
            report.lines.append(line)
            try check(SQL.qualified(table.schema, table.name), storage: SQL.qualified(storage.schema, storage.name), what: "the table's wall", into: &report)
            for aggregate in hypertable.continuousAggregates {
                let name = SQL.qualified(Hypertable.walledSchema(tenancy: spec.tenancy), aggregate.name)
                try connection.execute("SET ROLE \(SQL.ident(spec.roles.owner))")
                defer { _ = try? connection.execute("RESET ROLE") }
                try connection.execute("CALL refresh_continuous_aggregate(\(SQL.literal(name))::regclass, NULL, NULL)")
                try connection.execute("RESET ROLE")
                try check(SQL.qualified(aggregate.viewSchema(of: table), aggregate.name), storage: name,
                          what: "continuous aggregate \(aggregate.name), refreshed as the owner", into: &report)
            }
        }
        guard !spec.rollups.isEmpty else { return }
        for rollup in spec.rollups {
            guard let source = spec.tables.first(where: { $0.schema == rollup.sourceParts.schema && $0.name == rollup.sourceParts.name }),
                  let time = source.columns.first(where: { TypeName.isTime($0.type) && $0.notNull }) else { continue }
            let storage = source.storage(tenancy: spec.tenancy)
            try seed(source, into: SQL.qualified(storage.schema, storage.name), time: time.name, step: "1 minute", rows: 120)
        }
        try connection.execute("SELECT \(SQL.qualified(spec.tenancy.helperSchema, "refresh_rollups"))()")
        for rollup in spec.rollups {
            try check(SQL.qualified(rollup.viewSchema, rollup.name), storage: SQL.qualified(Rollup.privateSchema(tenancy: spec.tenancy), rollup.name),
                      what: "rollup \(rollup.name), refreshed by refresh_rollups() as the owner", into: &report)
        }
    }

    /// Rows for each demo tenant, `step` apart going back from now, written as the session's user (the demo's
    /// superuser) straight into where the rows live. Other columns get a value of their type that varies a little
    /// with the row, so groups and keys differ.
    func seed(_ table: Table, into relation: String, time: String, step: String, rows: Int) throws {
        let scope = table.scopeColumn(tenancy: spec.tenancy) ?? spec.tenancy.column
        let columns = table.columns.filter { $0.name == scope || $0.name == time || ($0.notNull && $0.defaultValue == nil) || table.primaryKey.contains($0.name) }
        let values = columns.map { column -> String in
            if column.name == scope { return "tenant.id" }
            if column.name == time { return "pg_catalog.now() - g * INTERVAL \(SQL.literal(step))" }
            let type = TypeName.normalize(column.type) ?? column.type
            switch TypeCategory(type) {
            case .text: return "'demo-' || (g % 3)"
            case let c where c.isNumber: return "(g % 100)::\(type)"
            default: return ProbeValues.literal(forType: column.type, seed: 1)
            }
        }
        try connection.query("""
            INSERT INTO \(relation) (\(SQL.identList(columns.map(\.name))))
            SELECT \(values.joined(separator: ", "))
            FROM unnest($1::\(spec.tenancy.type.rawValue)[]) AS tenant(id), pg_catalog.generate_series(0, \(rows - 1)) AS g
            ON CONFLICT DO NOTHING
            """, ["{" + tenants.joined(separator: ",") + "}"])
    }

    /// Reads `view` as the application role, as each demo tenant and with no context, against what the owner
    /// reads of that tenant in `storage`.
    func check(_ view: String, storage: String, what: String, into report: inout DemoRun.Report) throws {
        let column = SQL.ident(spec.tenancy.column)
        var seen: [String] = []
        for tenant in tenants {
            let owner = try connection.query("SELECT count(*)::text FROM \(storage) WHERE \(column)::text = $1", [tenant]).scalar ?? "?"
            let app = try asApplication(tenant) { try connection.query("SELECT count(*)::text || '/' || count(*) FILTER (WHERE \(column)::text <> $1)::text FROM \(view)", [tenant]).scalar ?? "?" }
            seen.append("\(app.split(separator: "/")[0]) of \(owner)")
            if app != "\(owner)/0" { report.failures += 1 }
        }
        let none = try asApplication(nil) { try connection.query("SELECT count(*)::text FROM \(view)").scalar ?? "?" }
        if none != "0" { report.failures += 1 }
        let total = try connection.query("SELECT count(*)::text FROM \(storage)").scalar ?? "?"
        report.lines.append("  \(view) (\(what)): \(total) rows in all; each demo tenant reads its own (\(seen.joined(separator: ", "))), no context reads \(none)")
    }

    /// `body` in a transaction as the application role, with the tenant's context set by the spec's setting (the
    /// context binding; other bindings' demos show their own setters).
    func asApplication<T>(_ tenant: String?, _ body: () throws -> T) throws -> T {
        try connection.execute("BEGIN; SET LOCAL ROLE \(SQL.ident(spec.roles.app))")
        defer { _ = try? connection.execute("ROLLBACK") }
        if let tenant { try connection.query("SELECT pg_catalog.set_config($1, $2, true)", [spec.tenancy.setting, tenant]) }
        return try body()
    }
}
