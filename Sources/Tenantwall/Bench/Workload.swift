/// One benchmark workload: the same question asked as the baseline (a role that bypasses RLS, with an explicit
/// `WHERE tenant_id = $1`) and under row-level security (no tenant predicate: the policy supplies it).
public struct Workload: Sendable {
    public enum Kind: String, Sendable { case read, write, endToEnd }

    public var name: String
    public var title: String
    public var kind: Kind
    /// `$1` is the tenant; the rest are `arguments`.
    public var baselineSQL: String
    /// The same query without the tenant: `$1…` are `arguments`.
    public var rlsSQL: String
    /// Further parameters for one execution, given the tenant and a sample item id.
    public var arguments: @Sendable (_ tenant: String, _ item: Int, _ n: Int) -> [String?]
    /// Why PostgreSQL itself keeps RLS from matching the baseline here, if it does.
    public var limitation: String?

    public static let all: [Workload] = [
        Workload(name: "point", title: "primary-key point lookup", kind: .read,
                 baselineSQL: "SELECT * FROM public.items WHERE tenant_id = $1 AND id = $2",
                 rlsSQL: "SELECT * FROM public.items WHERE id = $1",
                 arguments: { _, item, _ in [String(item)] }),
        Workload(name: "range", title: "tenant range scan (ORDER BY at DESC LIMIT 50)", kind: .read,
                 baselineSQL: "SELECT * FROM public.events WHERE tenant_id = $1 ORDER BY at DESC LIMIT 50",
                 rlsSQL: "SELECT * FROM public.events ORDER BY at DESC LIMIT 50",
                 arguments: { _, _, _ in [] }),
        Workload(name: "aggregate", title: "time-range aggregate over the partitioned table (7 days)", kind: .read,
                 baselineSQL: "SELECT date_trunc('day', at) AS day, count(*), sum(value) FROM public.events WHERE tenant_id = $1 AND at >= now() - interval '7 days' GROUP BY 1 ORDER BY 1",
                 rlsSQL: "SELECT date_trunc('day', at) AS day, count(*), sum(value) FROM public.events WHERE at >= now() - interval '7 days' GROUP BY 1 ORDER BY 1",
                 arguments: { _, _, _ in [] }),
        Workload(name: "insert", title: "single-row INSERT (the WITH CHECK path)", kind: .write,
                 baselineSQL: "INSERT INTO public.events (tenant_id, at, value, kind) VALUES ($1, now(), $2, 'bench')",
                 rlsSQL: "INSERT INTO public.events (tenant_id, at, value, kind) VALUES ($1::uuid, now(), $2, 'bench')",
                 arguments: { tenant, _, n in [String(n)] }),
        Workload(name: "insert-batch", title: "batched INSERT of 100 rows", kind: .write,
                 baselineSQL: "INSERT INTO public.events (tenant_id, at, value, kind) SELECT $1, now(), g, 'bench' FROM generate_series(1, 100) AS g",
                 rlsSQL: "INSERT INTO public.events (tenant_id, at, value, kind) SELECT $1::uuid, now(), g, 'bench' FROM generate_series(1, 100) AS g",
                 arguments: { _, _, _ in [] }),
        Workload(name: "update", title: "single-row UPDATE", kind: .write,
                 baselineSQL: "UPDATE public.items SET counter = counter + 1 WHERE tenant_id = $1 AND id = $2",
                 rlsSQL: "UPDATE public.items SET counter = counter + 1 WHERE id = $1",
                 arguments: { _, item, _ in [String(item)] }),
        Workload(name: "like", title: "LIKE 'prefix%' search (non-leakproof operator)", kind: .read,
                 baselineSQL: "SELECT id, name FROM public.items WHERE tenant_id = $1 AND name LIKE $2 ORDER BY name LIMIT 20",
                 rlsSQL: "SELECT id, name FROM public.items WHERE name LIKE $1 ORDER BY name LIMIT 20",
                 arguments: { _, _, n in [String("0123456789abcdef".map { $0 }[n % 16]) + String("0123456789abcdef".map { $0 }[(n / 16) % 16]) + "%"] },
                 limitation: """
                    LIKE is not leakproof, so under RLS PostgreSQL may not use it as an index condition before the policy filter: \
                    the prefix is applied as a filter over the tenant's rows. Keep such searches to a tenant-leading index whose \
                    other columns narrow the rows, or use a SECURITY INVOKER function with an explicit tenant predicate the planner can index.
                    """),
    ]

    /// The application's pattern: set the context and query in one round trip (simple protocol, one
    /// transaction), against a baseline that sends no context at all.
    public static let endToEnd = Workload(name: "end-to-end", title: "set the tenant context and query in one round trip", kind: .endToEnd,
                                          baselineSQL: "", rlsSQL: "", arguments: { _, _, _ in [] })

    /// For reads of a subset: the parameters for one mode, tenant first for the baseline.
    public func parameters(baseline: Bool, tenant: String, item: Int, n: Int) -> [String?] {
        let rest = arguments(tenant, item, n)
        if baseline { return [tenant] + rest }
        // Inserts name their tenant in the row under RLS too: the policy checks it.
        return kind == .write && rlsSQL.contains("$1::uuid") ? [tenant] + rest : rest
    }
}
