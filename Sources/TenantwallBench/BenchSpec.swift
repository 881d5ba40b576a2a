import PolicyGen
import Tenantwall

/// The spec a benchmark runs: the user's own (`--spec`) or a built-in one, made safe and possible to build in a
/// scratch database on whatever server it runs on.
///
/// - Roles are renamed to `tw_bench_*`: roles belong to the whole cluster, and a benchmark must neither touch
///   the application's real roles nor leave its own behind.
/// - What the server cannot install is replaced by the nearest thing it can, with a note in the report: a
///   hypertable without TimescaleDB becomes native range partitions of its chunk interval; pg_partman without
///   the extension becomes tenantwall's own partitions; extension helpers without the extension are inlined.
public enum BenchSpec {
    /// The built-in dataset: a tenants table, `items` for point lookups, updates and LIKE, and `events`
    /// partitioned by month for range scans, aggregates and inserts.
    public static let builtIn = """
        tenancy: {column: tenant_id, type: uuid, helper_schema: tenantwall, helpers: extension}
        roles: {owner: tw_bench_owner, app: tw_bench_app, admin: tw_bench_admin}
        tables:
          - name: tenants
            isolation: self
            key: id
            columns: {id: uuid, name: text}
            primary_key: [id]
          - name: items
            isolation: tenant
            columns: {tenant_id: uuid, id: bigint, name: {type: text, not_null: true}, counter: {type: integer, not_null: true}}
            primary_key: [tenant_id, id]
            grants: {tw_bench_app: [select, insert, update, delete]}
          - name: events
            isolation: tenant
            columns: {tenant_id: uuid, at: {type: timestamptz, not_null: true}, value: {type: double precision, not_null: true}, kind: {type: text, not_null: true}}
            indexes: [{columns: [tenant_id, at desc]}]
            grants: {tw_bench_app: [select, insert, update, delete]}
            partitioning: {column: at, interval: 1 month, premake: 1}
        """

    /// Extra SQL for the built-in dataset: an index that serves `LIKE 'prefix%'` in any collation.
    public static let builtInExtra = "CREATE INDEX items_name_prefix ON public.items (tenant_id, name text_pattern_ops)"

    public static let owner = "tw_bench_owner", app = "tw_bench_app", admin = "tw_bench_admin"
    /// A role that bypasses RLS and runs the hand-written `WHERE tenant_id = $1` queries: the baseline.
    public static let baselineRole = "tw_bench_base"
    /// A role under the contrast policies (the style common in the field).
    public static let contrastRole = "tw_bench_naive"
    /// Roles under the comparison modes' policies: inline helpers, and the native context reader.
    public static let inlineRole = "tw_bench_inline", contextRole = "tw_bench_context"
    /// Where the inline helpers of the comparison mode live, beside the spec's native ones.
    public static let inlineSchema = "tw_bench_inline"

    /// Every role a benchmark may create for `spec` (after `renamingRoles`).
    public static func roles(of spec: Spec) -> [String] {
        uniqued([spec.roles.owner, spec.roles.app, spec.roles.admin] + spec.roles.readonly + [baselineRole, contrastRole, inlineRole, contextRole])
    }

    /// The spec with its roles renamed to `tw_bench_*` (grants follow; admin members, login roles of the real
    /// deployment, are dropped).
    public static func renamingRoles(_ spec: Spec) -> Spec {
        var spec = spec
        var names = [spec.roles.owner: owner, spec.roles.app: app, spec.roles.admin: admin]
        for (i, role) in spec.roles.readonly.enumerated() { names[role] = "tw_bench_readonly\(i + 1)" }
        spec.roles.owner = owner
        spec.roles.app = app
        spec.roles.admin = admin
        spec.roles.readonly = spec.roles.readonly.compactMap { names[$0] }
        spec.roles.adminMembers = []
        spec.roles.create = true
        spec.tables = spec.tables.map { table in
            var table = table
            table.grants = table.grants.compactMap { grant in names[grant.role].map { ($0, grant.commands) } }
            table.grantLocations = [:]
            return table
        }
        return spec
    }

    /// The spec with its hypertables in the RLS form (compression and continuous aggregates taken off, which
    /// TimescaleDB refuses with RLS), and the compression each asked for: the walled form is built beside it
    /// from that (`WalledSetup`), so both forms are measured on the same rows.
    public static func rlsForm(_ spec: Spec) -> (Spec, [String: Compression]) {
        var spec = spec
        var compressions: [String: Compression] = [:]
        for i in spec.tables.indices where spec.tables[i].hypertable != nil {
            compressions[spec.tables[i].qualifiedName] = spec.tables[i].hypertable?.compression
            spec.tables[i].hypertable?.compression = nil
            spec.tables[i].hypertable?.continuousAggregates = []
        }
        return (spec, compressions)
    }

    /// Replaces what `available` says the server lacks, and says what was replaced.
    public static func adapting(_ spec: Spec, available: (String) throws -> Bool) throws -> (Spec, [String]) {
        var spec = spec
        var notes: [String] = []
        if spec.tables.contains(where: { $0.hypertable != nil }), try !available("timescaledb") {
            let names = spec.tables.filter { $0.hypertable != nil }.map { "\($0.qualifiedName) (chunks of \($0.hypertable!.chunkInterval))" }
            notes.append("TimescaleDB is not installed on this server: \(names.joined(separator: ", ")) measured as native range partitions of the chunk interval instead of hypertables")
            spec.tables = spec.tables.map { table in
                guard let h = table.hypertable else { return table }
                var table = table
                table.hypertable = nil
                table.partitioning = Partitioning(column: h.timeColumn, interval: h.chunkInterval, premake: 1, manager: .native, location: h.location)
                return table
            }
        }
        if spec.tables.contains(where: { $0.partitioning?.manager == .pg_partman }), try !available("pg_partman") {
            notes.append("pg_partman is not installed on this server: its tables measured with tenantwall's own partitions")
            spec.tables = spec.tables.map { table in
                var table = table
                table.partitioning?.manager = .native
                return table
            }
        }
        if spec.tenancy.helpers == .extension, try !available("tenantwall") {
            notes.append("the tenantwall extension is not installed on this server (make -C sql install): helpers inlined instead")
            spec.tenancy.helpers = .inline
        }
        if spec.tenancy.citus, try !available("citus") {
            notes.append("the spec is distributed with Citus, but this server is not a Citus coordinator: measured on one server")
            spec.tenancy.distribution = .none
        }
        if spec.tenancy.binding == .signed {
            notes.append("the spec binds sessions with signed tokens: the generated mode presents an HS256 token per tenant (signed with the benchmark's own key), so these figures include the signature check")
            if spec.tenancy.nativeReader && spec.tenancy.scope == .transaction {
                notes.append("signed binding on the native extension: measured with scope: session, so that a token verified once serves a batch of statements outside a transaction; the per-statement cost is the same, and the end-to-end workload verifies a token in every transaction")
                spec.tenancy.scope = .session
            }
        }
        if spec.tenancy.binding == .role {
            notes.append("the spec binds sessions by login role; this run measures its policies under the context binding (the role lookup's per-statement cost is not in these figures)")
            spec.tenancy.binding = .context
        }
        return (spec, notes)
    }
}
