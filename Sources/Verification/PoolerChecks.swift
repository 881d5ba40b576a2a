import Foundation
import PolicyGen
import Postgres
import Quoting

/// `verify --pooler CONNINFO`: the cross-client probes, through the user's own pooler (PgBouncer in transaction
/// mode, typically), as the user the application logs in as there.
///
/// One client binds a probe tenant in a transaction, commits and disconnects; the next client asks the server
/// connection it is given for the tenant. The direct-connection check (`context-transaction-local`) proves the
/// setter is transaction-local on one session; this proves it on the path the application really takes, with
/// whatever the pooler does (or does not do) between clients. A probe is only conclusive when the second client
/// got the first one's backend (`pg_backend_pid()`): it tries a few times, then reports itself skipped.
extension Verifier {
    /// How often the pair of clients is tried before a probe is called inconclusive (a pool of several server
    /// connections may hand the second client another one).
    static let poolerAttempts = 8

    func poolerChecks(_ pooler: String) throws -> [CheckResult] {
        let helpers = spec.tenancy.helperSchema
        let probe = try Connection(pooler)
        let user = try probe.query("SELECT current_user").scalar ?? "?"
        if spec.tenancy.binding == .role {
            var note = check("pooler-context-next-client", "-", user, "POOLER", "binding 'role': the login role is the tenant; the pooler must pool per user (PgBouncer does)",
                             "-", expected: "-", actual: "not applicable", passed: true)
            note.skipped = true
            return [note]
        }
        let (cast, value) = ProbeSession(connection: probe, spec: spec, secret: settings.secret).contextArgument(tenantIds[0])
        let set = "SELECT \(SQL.qualified(helpers, "set_tenant_context"))(\(SQL.literal(value))::\(cast))"
        let read = "\(SQL.qualified(helpers, "current_tenant_id"))()::text"
        let sql = "-- client 1, through the pooler as \(user):\nBEGIN; \(set); COMMIT;\n-- client 2, on the same server connection:\nSELECT \(read);"
        // A context that did reach the next client is cleared there: verify leaves no tenant on the pooler's
        // server connections for the application's next client.
        let leak = try nextClient(pooler, first: set, read: read, cleanup: "SELECT \(SQL.qualified(helpers, "clear_tenant_context"))()")
        let remedy = spec.tenancy.scope == .session
            ? "tenancy.scope: session keeps the context on the server connection: set scope: transaction (or use a session-mode pooler)"
            : "the setter must be transaction-local (set_config(…, true)); nothing but tenantwall's setter should set the context"
        var out: [CheckResult]
        switch leak {
        case .inconclusive(let why):
            var skipped = check("pooler-context-next-client", "-", user, "POOLER", "a tenant context never reaches the pooler's next client", sql,
                                expected: "no context for the next client", actual: why, passed: true)
            skipped.skipped = true
            out = [skipped]
        case .failed(let error):
            out = [check("pooler-context-next-client", "-", user, "POOLER", "a tenant context never reaches the pooler's next client", sql,
                         expected: "no context for the next client", actual: error, passed: false)]
        case .read(let context):
            out = [check("pooler-context-next-client", "-", user, "POOLER", "a tenant context never reaches the pooler's next client", sql,
                         expected: "no context for the next client",
                         actual: context.map { "context \($0) reached the next client on the same server connection; remedy: \(remedy)" } ?? "no context for the next client",
                         passed: context == nil)]
        }
        out.append(try adminCarryOver(pooler, probe: probe, user: user))
        return out
    }

    /// Admin mode enabled and committed by one client is off for the next client of the same server connection
    /// (its token is bound to the transaction). Needs a pooler user that may enable admin mode; the probe commits
    /// one `admin_mode_log` row (reason `tenantwall verify --pooler`), because a commit is what is tried.
    func adminCarryOver(_ pooler: String, probe: Connection, user: String) throws -> CheckResult {
        let helpers = spec.tenancy.helperSchema, admin = spec.roles.admin
        let enable = "SELECT \(SQL.qualified(helpers, "enable_admin_mode"))('tenantwall verify --pooler')"
        let read = "\(SQL.qualified(helpers, "admin_mode_enabled"))()::text"
        let sql = "-- client 1, through the pooler as \(user):\nBEGIN; \(enable); COMMIT;\n-- client 2, on the same server connection:\nSELECT \(read);"
        let title = "admin mode never reaches the pooler's next client"
        let eligible = try !admin.isEmpty && !spec.tenancy.citus
            && (probe.query("SELECT pg_has_role(current_user, $1, 'USAGE') AND NOT rolsuper FROM pg_roles WHERE rolname = current_user", [admin]).flag)
        guard eligible else {
            var skipped = check("pooler-admin-next-client", "-", user, "POOLER", title, sql, expected: "admin mode off for the next client",
                                actual: admin.isEmpty || spec.tenancy.citus ? "no admin mode in this spec" : "\(user) may not enable admin mode (not a member of \(admin)): not tried",
                                passed: true)
            skipped.skipped = true
            return skipped
        }
        switch try nextClient(pooler, first: enable, read: read) {
        case .inconclusive(let why):
            var skipped = check("pooler-admin-next-client", "-", user, "POOLER", title, sql, expected: "admin mode off for the next client", actual: why, passed: true)
            skipped.skipped = true
            return skipped
        case .failed(let error):
            return check("pooler-admin-next-client", "-", user, "POOLER", title, sql, expected: "admin mode off for the next client", actual: error, passed: false)
        case .read(let enabled):
            return check("pooler-admin-next-client", "-", user, "POOLER", title, sql, expected: "admin mode off for the next client",
                         actual: enabled == "false" ? "admin mode off for the next client" : "admin_mode_enabled() is \(enabled ?? "NULL") for the next client",
                         passed: enabled == "false")
        }
    }

    enum NextClient { case read(String?), failed(String), inconclusive(String) }

    /// Runs `first` in a committed transaction of one client and disconnects it, then reads `read` (an
    /// expression) on a new client, until the second got the first one's server connection (at most
    /// `poolerAttempts` times), running `cleanup` on the second client when it read something. Each side reads `pg_backend_pid()` in the same transaction as its statement: in
    /// transaction mode the next statement may run on another server connection.
    func nextClient(_ pooler: String, first: String, read: String, cleanup: String? = nil) throws -> NextClient {
        for _ in 0..<Self.poolerAttempts {
            do {
                let backend: String?
                do {
                    let one = try Connection(pooler)
                    try one.execute("BEGIN")
                    defer { _ = try? one.execute("ROLLBACK") }
                    try one.execute(first)
                    backend = try one.query("SELECT pg_backend_pid()::text").scalar
                    try one.execute("COMMIT")
                }
                let two = try Connection(pooler)
                let row = try two.query("SELECT \(read), pg_backend_pid()::text").rows.first ?? []
                if let cleanup, row.first.flatMap({ $0 }) != nil { _ = try? two.execute(cleanup) }
                if row.count == 2, row[1] == backend { return .read(row[0]) }
            } catch let error as PostgresError {
                return .failed(error.brief)
            }
        }
        return .inconclusive("the pooler gave the next client another server connection \(Self.poolerAttempts) times: not tried (a pool of one server connection per user makes it conclusive)")
    }
}
