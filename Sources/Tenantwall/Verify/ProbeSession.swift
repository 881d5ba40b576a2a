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

    var helpers: String { spec.tenancy.helperSchema }

    /// The SQL that sets up the role and context, as the evidence shows it.
    func preamble(_ role: String, _ context: Context) -> String {
        var sql = "SET LOCAL ROLE \(SQL.ident(role)); "
        switch context {
        case .tenant(let id): sql += "SELECT \(SQL.qualified(helpers, "set_tenant_context"))(\(SQL.literal(id))::\(spec.tenancy.type.rawValue));"
        case .none: sql += "SELECT set_config(\(SQL.literal(spec.tenancy.setting)), NULL, true);"
        case .empty: sql += "SELECT set_config(\(SQL.literal(spec.tenancy.setting)), '', true);"
        case .malformed: sql += "SELECT set_config(\(SQL.literal(spec.tenancy.setting)), 'not-a-tenant''; --', true);"
        }
        return sql
    }

    func act<T>(_ role: String, _ context: Context, _ body: () throws -> T) throws -> T {
        try connection.execute("SAVEPOINT tw_verify")
        defer { _ = try? connection.execute("ROLLBACK TO SAVEPOINT tw_verify; RELEASE SAVEPOINT tw_verify") }
        try connection.execute("SET LOCAL ROLE \(SQL.ident(role))")
        switch context {
        case .tenant(let id):
            try connection.query("SELECT \(SQL.qualified(helpers, "set_tenant_context"))($1::\(spec.tenancy.type.rawValue))", [id])
        case .none:
            // A value never set: RESET the setting for this transaction.
            try connection.query("SELECT set_config($1, NULL, true)", [spec.tenancy.setting])
        case .empty:
            try connection.query("SELECT set_config($1, '', true)", [spec.tenancy.setting])
        case .malformed:
            try connection.query("SELECT set_config($1, 'not-a-tenant''; --', true)", [spec.tenancy.setting])
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
