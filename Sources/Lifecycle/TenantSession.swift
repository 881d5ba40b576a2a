import Foundation
import Identity
import PolicyGen
import Postgres
import Quoting
import Tenantwall

/// Becoming one tenant inside the caller's transaction, the way the application does: the access role, then
/// the tenant's context through the spec's own setter, so every read passes the same walls a request does.
///
/// - `context`: `SET LOCAL ROLE` the app role, `set_tenant_context(id)`.
/// - `signed`: a key of this run's own goes into the keys table (inside the transaction, which the caller
///   always rolls back), and the setter gets a token signed with it: no deployed secret is needed or read.
/// - `role`: `SET LOCAL ROLE` the tenant's own login role (or, when it has none, a role the transaction creates
///   and maps to the tenant); there is no setter.
public struct TenantSession {
    let spec: Spec
    let connection: Connection

    /// The statements that made the transaction the tenant's, for the manifest: the token is left out.
    private(set) var transcript: [String] = []

    public init(spec: Spec, connection: Connection) {
        self.spec = spec
        self.connection = connection
    }

    public mutating func enter(_ id: String) throws {
        let tenancy = spec.tenancy
        switch tenancy.binding {
        case .role:
            var role = tenancy.tenantRolePrefix + id
            if try connection.query("SELECT 1 FROM pg_catalog.pg_roles WHERE rolname = $1", [role]).rows.isEmpty {
                // No login role (never provisioned, or dropped): a role of the session's own, mapped to the tenant
                // the way `tenant add` maps one, gone with the rollback.
                role = "tenantwall_export_\(UInt32.random(in: 0...UInt32.max))"
                try connection.execute("CREATE ROLE \(SQL.ident(role)) NOLOGIN; GRANT \(SQL.ident(spec.roles.app)) TO \(SQL.ident(role))")
                try connection.query("INSERT INTO \(SQL.qualified(tenancy.helperSchema, "tenant_roles")) (role_name, tenant) VALUES ($1, $2::\(tenancy.type.rawValue))", [role, id])
                transcript.append("-- a role of this export's own, mapped to tenant \(id) in its rolled-back transaction")
            }
            try run("SET LOCAL ROLE \(SQL.ident(role))")
        case .signed:
            let secret = try SigningKeys.addTransient(connection, spec: spec, purpose: "export")
            transcript.append("-- a signing key of this export's own, in its rolled-back transaction")
            let claims = JWT.claims(path: tenancy.claim, value: JWT.claimValue(id, numeric: tenancy.type.isNumeric), expires: Date().addingTimeInterval(600))
            let token = try JWT.sign(claims, secret: secret)
            try run("SET LOCAL ROLE \(SQL.ident(spec.roles.app))")
            try connection.execute("SELECT \(SQL.qualified(tenancy.helperSchema, "set_tenant_context"))(\(SQL.literal(token))::text)")
            transcript.append("SELECT \(SQL.qualified(tenancy.helperSchema, "set_tenant_context"))('<a token for tenant \(id)>'::text)")
        case .context:
            try run("SET LOCAL ROLE \(SQL.ident(spec.roles.app))")
            try run("SELECT \(SQL.qualified(tenancy.helperSchema, "set_tenant_context"))(\(SQL.literal(id))::\(tenancy.type.rawValue))")
        }
    }

    /// Back to the connecting role (a superuser or the owner), still inside the transaction.
    public mutating func leave() throws { try run("RESET ROLE") }

    private mutating func run(_ sql: String) throws {
        transcript.append(sql)
        try connection.execute(sql)
    }
}
