import PolicyGen
import Postgres
import Quoting
import Tenantwall

/// `tenancy.fan_out` on a live cluster. In a tenant's transaction, as the application role, the same count runs
/// twice on a distributed tenant table: once naming the tenant (Citus routes it to one shard) and once without
/// (it fans out to every shard, and the setter's `citus.multi_task_query_log_level` reports or refuses it).
/// What Citus did with each is the outcome: the demo prints it and the tests assert it.
public enum FanOutGuard {
    public struct Outcome: Sendable, Equatable {
        /// The table tried.
        public var table: String
        /// What the statement naming its tenant did: `ok`, or the error's SQLSTATE and message.
        public var routed: String
        /// The same without the tenant.
        public var fannedOut: String
        /// Warnings either statement raised.
        public var warnings: [String]
    }

    /// Runs both statements in transactions that are rolled back, for `tenant` (a probe tenant's id when nil); nil when the spec has no distributed tenant table.
    public static func tryStatements(_ connection: Connection, spec: Spec, tenant: String? = nil) throws -> Outcome? {
        guard let table = spec.tables.first(where: { $0.isolation == .tenant && $0.citusDistributionColumn(tenancy: spec.tenancy) != nil }),
              let column = table.citusDistributionColumn(tenancy: spec.tenancy) else { return nil }
        let type = spec.tenancy.type.rawValue
        let tenant = tenant ?? ProbeValues.tenant(20, type: spec.tenancy.type)
        let relation = SQL.qualified(table.schema, table.name)
        _ = connection.takeNotices()
        func attempt(_ query: String) throws -> String {
            try connection.execute("BEGIN")
            defer { _ = try? connection.execute("ROLLBACK") }
            try connection.execute("SET LOCAL ROLE \(SQL.ident(spec.roles.app))")
            try connection.query("SELECT \(SQL.qualified(spec.tenancy.helperSchema, "set_tenant_context"))($1::\(type))", [tenant])
            do {
                try connection.query(query, [tenant])
                return "ok"
            } catch let error as PostgresError {
                return "\(error.sqlState ?? "?"): \(error.message)"
            }
        }
        let routed = try attempt("SELECT count(*) FROM \(relation) WHERE \(SQL.ident(column)) = $1::\(type)")
        let fannedOut = try attempt("SELECT count(*) FROM \(relation) WHERE $1::\(type) IS NOT NULL")
        return Outcome(table: table.qualifiedName, routed: routed, fannedOut: fannedOut,
                       warnings: connection.takeNotices().filter { $0.hasPrefix("WARNING") })
    }
}
