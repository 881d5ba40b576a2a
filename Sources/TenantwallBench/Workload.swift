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
    /// The overhead this workload should stay within, in percent, if it has a target.
    public var target: Double?
    /// What the cost is made of, shown when the target is not met.
    public var explanation: String?
    /// The modes this workload runs in, when not the spec's (`BenchRunner.Mode.measured(for:)`): a hypertable
    /// workload runs in the RLS and walled forms.
    public var modes: [BenchRunner.Mode]?
    /// The statement per mode, where a mode reads another relation (the walled storage, its view).
    public var formSQL: [BenchRunner.Mode: String] = [:]
    /// Keys per tenant, where the workload looks up rows of another table than the point table's samples.
    public var keys: [String: [String]] = [:]

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

    /// The overhead targets: what isolation should cost at most, per workload.
    public static let targets: [String: Double] = ["point": 2, "range": 3, "aggregate": 3, "insert": 3, "insert-batch": 3, "end-to-end": 10,
                                                   "hypertable-point": 2, "hypertable-range": 3, "hypertable-bucket": 3]

    static let perStatementCost = """
        What the policies add per statement, measured inside the server by scripts/bench-policy-cost.sh (free of \
        client and scheduler noise): RLS with a constant costs nothing; the extension's native reader, called \
        directly, about 0.2 µs (a C function call in the index condition); the inline SQL reader about 0.9 µs (an \
        InitPlan, about 0.5 µs, plus reading and casting the setting). A write also builds and checks the WITH \
        CHECK expression in every statement, and an INSERT into a partitioned table builds it twice (for the \
        parent and for the partition the row is routed to): scripts/bench-insert-cost.sh measured +0.45 µs for a \
        constant check and +0.74 µs for the native reader on a 3.0 µs partitioned insert, about 3% and 4% of a \
        17 µs single-row INSERT with its protocol and commit. A share of the smallest statements, vanishing in \
        larger ones; a figure far above it is this machine's noise (see the interval).
        """

    static let contextStatementCost = """
        The baseline sends no context; the application pattern sends a second statement (set_tenant_context) in the \
        same round trip and transaction (pipeline mode). scripts/bench-roundtrip-cost.sh (pgbench, Unix socket) \
        put the pieces side by side: a trivial second statement (SELECT $1::uuid) alone costs 13% of a \
        primary-key lookup's throughput, set_config() 15%, the C setter 17%, while the policies on the lookup \
        cost 1%. So the target is out of reach of any context statement on a local connection; over a network the \
        round trip dominates. Transactions that run several statements pay it once; the role binding (the tenant \
        is the login role) needs no context statement.
        """

    static let estimateLimitation = """
        Under RLS the tenant is an InitPlan parameter the planner cannot see, so it plans for an average tenant: the \
        plan under the policies is exactly the baseline's generic plan. For this tenant (the largest) the baseline's \
        custom plan, made with the tenant's own row estimate, differs. Where a large tenant needs its own plan, keep \
        the policy and also write the tenant into the query (AND tenant_id = $1): the planner then estimates for that \
        tenant while the policy still enforces the wall.
        """

    static let securityBarrierLimitation = """
        The walled form is a security_barrier view, and PostgreSQL never flattens a security_barrier view into the \
        query (prepjointree.c, is_simple_subquery): only leakproof conditions are pushed into it. The view's scans are \
        the baseline's (same chunks, compressed chunks, indexes and conditions); what differs is above them: ORDER BY \
        and GROUP BY are planned over the view's output, so TimescaleDB's ordered ChunkAppend and per-chunk \
        aggregation are not used, and a sort or a subquery scan is added on top. On large ranges, and on ORDER BY \
        … LIMIT, that is where the walled form's cost comes from.
        """

    static let likeLimitation = """
        LIKE is not leakproof, so under RLS PostgreSQL may not use it as an index condition before the policy filter: \
        the prefix is applied as a filter over the tenant's rows. Keep such searches to a tenant-leading index whose \
        other columns narrow the rows, or use a SECURITY INVOKER function with an explicit tenant predicate the planner can index.
        """

    public func sql(baseline: Bool) -> String { baseline ? baselineSQL : rlsSQL }

    /// The statement `mode` runs.
    public func sql(for mode: BenchRunner.Mode) -> String { formSQL[mode] ?? sql(baseline: mode.isBaseline) }

    /// The parameters for one execution in `mode`.
    public func parameters(_ mode: BenchRunner.Mode, tenant: String, key: String, n: Int) -> [String?] {
        parameters(baseline: mode.isBaseline, tenant: tenant, key: key, n: n)
    }

    /// The parameters for one execution in one mode: the tenant first for the baseline (and for inserts).
    public func parameters(baseline: Bool, tenant: String, key: String, n: Int) -> [String?] {
        let rest = arguments(key, n)
        return baseline || tenantInRLS ? [tenant] + rest : rest
    }
}
