/// One benchmark workload: the same question asked as the baseline (a role that bypasses RLS, with an explicit
/// `WHERE tenant_id = $1`) and under row-level security (no tenant predicate: the policy supplies it).
/// `BenchTargets` builds them from a spec.
public struct Workload: Sendable {
    public enum Kind: String, Sendable { case read, write, endToEnd }

    public var name: String
    public var title: String
    public var kind: Kind
    /// `$1` is the tenant; the rest are `arguments`.
    public var baselineSQL: String
    /// The same query without the tenant: `$1…` are `arguments` (after the tenant when `tenantInRLS`).
    public var rlsSQL: String
    /// Further parameters for one execution, given a sample key of the tenant's and a running number.
    public var arguments: @Sendable (_ key: String, _ n: Int) -> [String?]
    /// Inserts name their tenant in the row under RLS too: the policy's WITH CHECK checks it.
    public var tenantInRLS = false
    /// Why PostgreSQL itself keeps RLS from matching the baseline here, if it does.
    public var limitation: String?

    public init(name: String, title: String, kind: Kind, baselineSQL: String, rlsSQL: String,
                arguments: @escaping @Sendable (String, Int) -> [String?], tenantInRLS: Bool = false, limitation: String? = nil) {
        self.name = name
        self.title = title
        self.kind = kind
        self.baselineSQL = baselineSQL
        self.rlsSQL = rlsSQL
        self.arguments = arguments
        self.tenantInRLS = tenantInRLS
        self.limitation = limitation
    }

    /// Every workload name, in report order.
    public static let names = ["point", "range", "aggregate", "insert", "insert-batch", "update", "like", "end-to-end"]

    static let likeLimitation = """
        LIKE is not leakproof, so under RLS PostgreSQL may not use it as an index condition before the policy filter: \
        the prefix is applied as a filter over the tenant's rows. Keep such searches to a tenant-leading index whose \
        other columns narrow the rows, or use a SECURITY INVOKER function with an explicit tenant predicate the planner can index.
        """

    public func sql(baseline: Bool) -> String { baseline ? baselineSQL : rlsSQL }

    /// The parameters for one execution in one mode: the tenant first for the baseline (and for inserts).
    public func parameters(baseline: Bool, tenant: String, key: String, n: Int) -> [String?] {
        let rest = arguments(key, n)
        return baseline || tenantInRLS ? [tenant] + rest : rest
    }
}
