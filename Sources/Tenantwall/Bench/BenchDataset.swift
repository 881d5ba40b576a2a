import Foundation
import PolicyGen
import Postgres

/// The benchmark's synthetic multi-tenant dataset, in a scratch database of its own: the built-in spec
/// (a tenants table, `items` for point lookups, updates and LIKE, `events` partitioned by month), applied with
/// tenantwall's generated policies, plus a contrast role whose policies are written the way they often are in
/// the field (a `VOLATILE` plpgsql helper around `current_setting`).
///
/// Tenant sizes are skewed: tenant k gets a share of rows that falls off steeply with k (a few large tenants,
/// many small ones), as in real SaaS data.
public struct BenchDataset {
    public static let spec = """
        tenancy: {column: tenant_id, type: uuid, helper_schema: tenantwall}
        roles: {owner: tw_bench_owner, app: tw_bench_app, admin: tw_bench_admin}
        tables:
          - name: tenants
            isolation: self
            key: id
            columns: {id: uuid, name: text}
            primary_key: [id]
          - name: items
            isolation: tenant
            columns: {tenant_id: uuid, id: bigint, name: {type: text, not_null: true}, counter: {type: integer, not_null: true, default: 0}}
            primary_key: [tenant_id, id]
            grants: {tw_bench_app: [select, insert, update, delete]}
          - name: events
            isolation: tenant
            columns: {tenant_id: uuid, at: {type: timestamptz, not_null: true}, value: {type: double precision, not_null: true}, kind: {type: text, not_null: true}}
            indexes: [{columns: [tenant_id, at desc]}]
            grants: {tw_bench_app: [select, insert, update, delete]}
            partitioning: {column: at, interval: 1 month, premake: 1}
        """

    /// A role that bypasses RLS and runs the hand-written `WHERE tenant_id = $1` queries: the baseline.
    public static let baselineRole = "tw_bench_base"
    /// A role under the contrast policies (the style common in the field).
    public static let contrastRole = "tw_bench_naive"

    public let rows: Int
    public let tenants: Int

    public init(rows: Int, tenants: Int) {
        self.rows = rows
        self.tenants = tenants
    }

    public static func tenantId(_ k: Int) -> String {
        let hex = String(k, radix: 16)
        return "00000000-0000-4000-8000-" + String(repeating: "0", count: 12 - hex.count) + hex
    }

    public func loadedSpec() throws -> Spec { try SpecLoader.load([("built-in bench spec", Self.spec)]) }

    /// Creates the schema, policies, roles and rows; returns how long loading took.
    public func create(on connection: Connection) throws {
        let spec = try loadedSpec()
        try connection.execute("""
            DO $$ BEGIN
                IF NOT EXISTS (SELECT 1 FROM pg_roles WHERE rolname = 'tw_bench_base') THEN CREATE ROLE tw_bench_base NOLOGIN BYPASSRLS; END IF;
                IF NOT EXISTS (SELECT 1 FROM pg_roles WHERE rolname = 'tw_bench_naive') THEN CREATE ROLE tw_bench_naive NOLOGIN; END IF;
            END $$
            """)
        try LiveDatabase(connection: connection).apply(spec)
        let items = rows / 4, events = rows - rows / 4
        try connection.execute("""
            SET synchronous_commit = off;
            SELECT setseed(0.42);
            INSERT INTO public.tenants (id, name)
                SELECT ('00000000-0000-4000-8000-' || lpad(to_hex(k), 12, '0'))::uuid, 'tenant ' || k FROM generate_series(0, \(tenants - 1)) AS k;
            CREATE TABLE public.events_p_past1 PARTITION OF public.events FOR VALUES FROM (date_trunc('month', now()) - interval '1 month') TO (date_trunc('month', now()));
            CREATE TABLE public.events_p_past2 PARTITION OF public.events FOR VALUES FROM (date_trunc('month', now()) - interval '2 months') TO (date_trunc('month', now()) - interval '1 month');
            CREATE TABLE public.events_p_past3 PARTITION OF public.events FOR VALUES FROM (date_trunc('month', now()) - interval '3 months') TO (date_trunc('month', now()) - interval '2 months');
            INSERT INTO public.items (tenant_id, id, name, counter)
                SELECT ('00000000-0000-4000-8000-' || lpad(to_hex(floor(\(tenants) * power(random(), 2.5))::int), 12, '0'))::uuid,
                       g, md5(g::text), 0
                FROM generate_series(1, \(items)) AS g;
            INSERT INTO public.events (tenant_id, at, value, kind)
                SELECT ('00000000-0000-4000-8000-' || lpad(to_hex(floor(\(tenants) * power(random(), 2.5))::int), 12, '0'))::uuid,
                       now() - random() * interval '85 days', random() * 100, (ARRAY['click', 'view', 'buy'])[1 + (g % 3)]
                FROM generate_series(1, \(events)) AS g;
            CREATE INDEX items_name_prefix ON public.items (tenant_id, name text_pattern_ops);
            -- The baseline: bypasses RLS, filters by hand.
            GRANT USAGE ON SCHEMA tenantwall TO tw_bench_base, tw_bench_naive;
            GRANT SELECT, INSERT, UPDATE ON public.items, public.events TO tw_bench_base, tw_bench_naive;
            -- The contrast: the style common in the field, a VOLATILE plpgsql helper around current_setting.
            CREATE OR REPLACE FUNCTION public.naive_tenant() RETURNS uuid LANGUAGE plpgsql AS
                'BEGIN RETURN current_setting(''app.current_tenant_id'')::uuid; END';
            CREATE POLICY naive ON public.items TO tw_bench_naive USING (tenant_id = public.naive_tenant()) WITH CHECK (tenant_id = public.naive_tenant());
            CREATE POLICY naive ON public.events TO tw_bench_naive USING (tenant_id = public.naive_tenant()) WITH CHECK (tenant_id = public.naive_tenant());
            RESET synchronous_commit;
            """)
        try connection.execute("VACUUM ANALYZE")
    }

    /// The tenants by size, largest first, with their row counts in `items`.
    public func tenantSizes(on connection: Connection) throws -> [(id: String, items: Int)] {
        try connection.query("SELECT tenant_id::text, count(*) FROM public.items GROUP BY 1 ORDER BY 2 DESC, 1").rows.map { ($0[0] ?? "", Int($0[1] ?? "0") ?? 0) }
    }
}
