import Foundation
import Migrations
import PolicyGen
import Postgres

/// Acting as a role with a tenant context inside the verifier's transaction: each attempt runs in a
/// savepoint that is rolled back, so nothing it does survives, even when a wall is broken.
struct ProbeSession {
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
    var secret: [UInt8]? = nil
    /// For the `role` binding: the probe tenant roles (tenant id → role), created in the probe's transaction.
    var tenantRoles: [String: String] = [:]

    /// In the `role` binding, acting as the application for a tenant means acting as that tenant's role.
    func effectiveRole(_ role: String, _ context: Context) -> String {
        guard spec.tenancy.binding == .role, role == spec.roles.app, case .tenant(let id) = context, let tenantRole = tenantRoles[id] else { return role }
        return tenantRole
    }

    /// The argument `set_tenant_context()` takes for a tenant: the id, or (signed binding) a token for it.
    func contextArgument(_ id: String) -> (cast: String, value: String) {
        guard spec.tenancy.binding == .signed, let secret else { return (spec.tenancy.type.rawValue, id) }
        let value = JWT.claimValue(id, numeric: spec.tenancy.type.isNumeric)
        let token = (try? JWT.sign(JWT.claims(path: spec.tenancy.claim, value: value, expires: Date().addingTimeInterval(600)), secret: secret)) ?? ""
        return ("text", token)
    }

    var helpers: String { spec.tenancy.helperSchema }
    /// The setting the policies read: the tenant id, or the token in the signed binding.
    var contextSetting: String { spec.tenancy.binding == .signed ? spec.tenancy.tokenSetting : spec.tenancy.setting }

    /// The SQL that sets up the role and context, as the evidence shows it.
    func preamble(_ role: String, _ context: Context) -> String {
        var sql = "SET LOCAL ROLE \(SQL.ident(effectiveRole(role, context))); "
        if spec.tenancy.binding == .role { return sql }
        switch context {
        case .tenant(let id):
            let (cast, value) = contextArgument(id)
            sql += "SELECT \(SQL.qualified(helpers, "set_tenant_context"))(\(SQL.literal(value))::\(cast));"
        case .none: sql += "SELECT set_config(\(SQL.literal(contextSetting)), NULL, true);"
        case .empty: sql += "SELECT set_config(\(SQL.literal(contextSetting)), '', true);"
        case .malformed: sql += "SELECT set_config(\(SQL.literal(contextSetting)), 'not-a-tenant''; --', true);"
        }
        return sql
    }

    func act<T>(_ role: String, _ context: Context, _ body: () throws -> T) throws -> T {
        try connection.execute("SAVEPOINT tw_verify")
        defer { _ = try? connection.execute("ROLLBACK TO SAVEPOINT tw_verify; RELEASE SAVEPOINT tw_verify") }
        try connection.execute("SET LOCAL ROLE \(SQL.ident(effectiveRole(role, context)))")
        if spec.tenancy.binding == .role { return try body() }
        switch context {
        case .tenant(let id):
            let (cast, value) = contextArgument(id)
            try connection.query("SELECT \(SQL.qualified(helpers, "set_tenant_context"))($1::\(cast))", [value])
        case .none:
            // A value never set: RESET the setting for this transaction.
            try connection.query("SELECT set_config($1, NULL, true)", [contextSetting])
        case .empty:
            try connection.query("SELECT set_config($1, '', true)", [contextSetting])
        case .malformed:
            try connection.query("SELECT set_config($1, 'not-a-tenant''; --', true)", [contextSetting])
        }
        return try body()
    }

    /// Runs `sql` in its own savepoint and returns its result or the error it raised; after an error the
    /// session is usable again, still as the same role and context.
    func attempt(_ sql: String, _ parameters: [String?] = []) -> (result: QueryResult?, error: PostgresError?) {
        guarded { try connection.query(sql, parameters) }
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

extension PostgresError {
    var brief: String { "\(sqlState ?? "?"): \(message)" }
}
