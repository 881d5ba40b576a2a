import Foundation
import Identity
import PolicyGen
import Postgres
import Quoting

/// Acting as a role with a tenant context inside the verifier's transaction: each attempt runs in a
/// savepoint that is rolled back, so nothing it does survives, even when a wall is broken.
///
/// Everything that runs inside `act` is written to the transcript as it runs, and a check's evidence is that
/// transcript: the SQL a report shows is the SQL that ran, literal for literal (a signed probe token included).
final class ProbeSession {
    enum Context {
        case tenant(String)
        case none, empty, malformed

        var label: String {
            switch self {
            case .tenant: return "tenant"
            case .none: return "none"
            case .empty: return "empty"
            case .malformed: return "malformed"
            }
        }
    }

    let connection: Connection
    let spec: Spec
    /// For the `signed` binding: the secret that mints probe tokens.
    let secret: [UInt8]?
    /// For the `role` binding: the probe tenant roles (tenant id → role), created in the probe's transaction.
    let tenantRoles: [String: String]
    /// What ran since the last `act` began.
    private(set) var transcript: [String] = []

    /// How long probe tokens last: ten minutes for a run, ten years in a pgTAP script (whose key exists only
    /// inside the script's rolled-back transaction).
    let tokenLifetime: TimeInterval

    init(connection: Connection, spec: Spec, secret: [UInt8]? = nil, tenantRoles: [String: String] = [:], tokenLifetime: TimeInterval = 600) {
        self.connection = connection
        self.spec = spec
        self.secret = secret
        self.tenantRoles = tenantRoles
        self.tokenLifetime = tokenLifetime
    }

    /// The evidence of the last `act`: its statements, one per line, each ending with a semicolon.
    var evidence: String { transcript.map { $0.hasSuffix(";") ? $0 : $0 + ";" }.joined(separator: "\n") }

    /// In the `role` binding, acting as the application for a tenant means acting as that tenant's role.
    func effectiveRole(_ role: String, _ context: Context) -> String {
        guard spec.tenancy.binding == .role, role == spec.roles.app, case .tenant(let id) = context, let tenantRole = tenantRoles[id] else { return role }
        return tenantRole
    }

    /// The argument `set_tenant_context()` takes for a tenant: the id, or (signed binding) a token for it.
    func contextArgument(_ id: String) -> (cast: String, value: String) {
        guard spec.tenancy.binding == .signed, let secret else { return (spec.tenancy.type.rawValue, id) }
        let value = JWT.claimValue(id, numeric: spec.tenancy.type.isNumeric)
        let token = (try? JWT.sign(JWT.claims(path: spec.tenancy.claim, value: value, expires: Date().addingTimeInterval(tokenLifetime)), secret: secret)) ?? ""
        return ("text", token)
    }

    var helpers: String { spec.tenancy.helperSchema }
    /// The setting the policies read: the tenant id, or the token in the signed binding.
    var contextSetting: String { spec.tenancy.binding == .signed ? spec.tenancy.tokenSetting : spec.tenancy.setting }

    /// The statements that take on a role and a context: `SET LOCAL ROLE`, then the context (a tenant through
    /// `set_tenant_context()`; none, empty or malformed typed into the setting by hand).
    func preamble(_ role: String, _ context: Context) -> [String] {
        var sql = ["SET LOCAL ROLE \(SQL.ident(effectiveRole(role, context)))"]
        if spec.tenancy.binding == .role { return sql }
        let setting = SQL.literal(contextSetting)
        switch context {
        case .tenant(let id):
            let (cast, value) = contextArgument(id)
            sql.append("SELECT \(SQL.qualified(helpers, "set_tenant_context"))(\(SQL.literal(value))::\(cast))")
            // The probes reach every shard on purpose (they try the wall, not the route): the spec's fan-out
            // guard would refuse them. A session may lower it; the guard is not a wall.
            if spec.tenancy.citus && spec.tenancy.fanOut != .allow { sql.append("SET LOCAL citus.multi_task_query_log_level = off") }
        case .none: sql.append("SELECT pg_catalog.set_config(\(setting), NULL, true)")  // a value never set: RESET for this transaction
        case .empty: sql.append("SELECT pg_catalog.set_config(\(setting), '', true)")
        case .malformed: sql.append("SELECT pg_catalog.set_config(\(setting), 'not-a-tenant''; --', true)")
        }
        return sql
    }

    /// Runs `body` as `role` with `context`, in a savepoint rolled back afterwards.
    ///
    /// On Citus each act is a transaction of its own, rolled back: Citus refuses to let a role touch shard
    /// placements another role modified in the same transaction, so the probe rows are committed beforehand
    /// (`TableProbe`) instead of living in one transaction with every probe.
    func act<T>(_ role: String, _ context: Context, _ body: () throws -> T) throws -> T {
        transcript = []
        let citus = spec.tenancy.citus
        try connection.execute(citus ? "BEGIN" : "SAVEPOINT tw_verify")
        defer { _ = try? connection.execute(citus ? "ROLLBACK" : "ROLLBACK TO SAVEPOINT tw_verify; RELEASE SAVEPOINT tw_verify") }
        for statement in preamble(role, context) { try run(statement) }
        return try body()
    }

    /// Runs one statement of the session's own (it must succeed), into the transcript.
    func run(_ sql: String) throws {
        transcript.append(sql)
        try connection.execute(sql)
    }

    /// Back to the verifier (which bypasses RLS) inside the same savepoint, to compare what the session did.
    func asVerifier<T>(_ body: () throws -> T) throws -> T {
        try run("RESET ROLE")
        return try body()
    }

    /// A read as the verifier, into the transcript.
    func read(_ sql: String) throws -> String? {
        transcript.append(sql)
        return try connection.query(sql).scalar
    }

    /// Runs `sql` in its own savepoint and returns its result or the error it raised; after an error the
    /// session is usable again, still as the same role and context.
    func attempt(_ sql: String) -> (result: QueryResult?, error: PostgresError?) {
        transcript.append(sql)
        return guarded { try connection.query(sql) }
    }

    /// `COPY … TO STDOUT` in its own savepoint.
    func copyOut(_ sql: String) -> (result: String?, error: PostgresError?) {
        transcript.append(sql)
        return guarded { try connection.copyOut(sql) }
    }

    func guarded<T>(_ body: () throws -> T) -> (result: T?, error: PostgresError?) {
        do { try connection.execute("SAVEPOINT tw_attempt") } catch let error as PostgresError { return (nil, error) } catch { return (nil, PostgresError(message: "\(error)")) }
        do {
            let value = try body()
            _ = try? connection.execute("RELEASE SAVEPOINT tw_attempt")
            return (value, nil)
        } catch {
            _ = try? connection.execute("ROLLBACK TO SAVEPOINT tw_attempt; RELEASE SAVEPOINT tw_attempt")
            return (nil, error as? PostgresError ?? PostgresError(message: "\(error)"))
        }
    }
}
