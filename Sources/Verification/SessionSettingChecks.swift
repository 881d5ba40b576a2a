import PolicyGen
import Postgres
import Quoting

/// Tenant settings that outlive a transaction. The context and signed bindings bind a tenant for one
/// transaction; two things make a binding survive it, and through a transaction-mode pooler the next client,
/// of any tenant, then reads as that tenant:
///
/// - a setter that writes the setting session-wide (`set_config(…, false)`): the setting itself, not only
///   `current_tenant_id()`, must be gone after the commit, since application code, hand-written policies and
///   views may read it directly;
/// - an `ALTER ROLE … SET app.current_tenant_id = …` (or `ALTER DATABASE … SET`, or postgresql.conf) on a role
///   the application logs in as: every session of that role starts bound to that tenant, before any setter
///   ran, and a statement that forgot the setter reads that tenant's rows instead of none.
///
/// The role binding reads no setting, so neither applies there.
extension Verifier {
    static let sessionSettingChecks = [
        CheckInfo(id: "context-setting-transaction-local",
                  tries: "as the application role, the setter in one transaction, then the tenant setting itself (`current_setting()`) in the next",
                  passesWhen: "unset or empty (a setter writing it with `set_config(…, false)` fails)"),
        CheckInfo(id: "no-preset-tenant-setting",
                  tries: "`pg_db_role_setting` for the tenant settings on every access role, every role that is a member of one, and the database; the server's configuration file",
                  passesWhen: "none: an `ALTER ROLE … SET` of the tenant setting binds every session of that role before any setter runs"),
    ]

    /// The settings that carry a tenant: the tenant id's, the signed binding's token, and admin mode's token.
    var tenantSettings: [String] {
        uniqued([spec.tenancy.setting] + (spec.tenancy.binding == .signed ? [spec.tenancy.tokenSetting] : []) + [HelperCore.adminTokenSetting])
    }

    func sessionSettingChecks(_ db: Connection) throws -> [CheckResult] {
        guard spec.tenancy.binding != .role else { return [] }
        return [try settingAfterCommit(db), try presetSettings(db)]
    }

    /// The setter committed as the application role, then each tenant setting read in the next transaction.
    func settingAfterCommit(_ db: Connection) throws -> CheckResult {
        let helpers = spec.tenancy.helperSchema
        let (cast, value) = ProbeSession(connection: db, spec: spec, secret: settings.secret).contextArgument(tenantIds[0])
        let set = "SELECT \(SQL.qualified(helpers, "set_tenant_context"))(\(SQL.literal(value))::\(cast))"
        let read = "SELECT name, current_setting(name, true) FROM unnest(\(SQL.literal(SQL.textArray(tenantSettings)))::text[]) AS s(name)"
        let sql = "SET ROLE \(SQL.ident(spec.roles.app));\nBEGIN; \(set); COMMIT;\n\(read);"
        var left: [String] = []
        var actual: String
        do {
            try db.execute("SET ROLE \(SQL.ident(spec.roles.app))")
            defer {
                _ = try? db.execute("RESET ROLE")
                for name in tenantSettings { _ = try? db.query("SELECT pg_catalog.set_config($1, '', false)", [name]) }
            }
            try db.execute("BEGIN")
            try db.execute(set)
            try db.execute("COMMIT")
            left = try db.query(read).rows.compactMap { row in
                guard let name = row[0], let value = row[1], !value.isEmpty else { return nil }
                return "\(name) = '\(value.prefix(40))'"
            }
            actual = left.isEmpty ? "unset after the commit" : "survived the transaction: " + left.joined(separator: ", ")
        } catch let error as PostgresError {
            _ = try? db.execute("ROLLBACK")
            actual = error.brief
            left = [actual]
        }
        return check("context-setting-transaction-local", "-", spec.roles.app, "CONTEXT",
                     "the tenant setting does not outlive the setter's transaction (pooled connections)", sql,
                     expected: "unset after the commit", actual: left.isEmpty ? actual : actual + ": the setter must use set_config(…, true) or SET LOCAL",
                     passed: left.isEmpty)
    }

    /// Tenant settings preset for the roles the application acts as, for the database, or by the server.
    func presetSettings(_ db: Connection) throws -> CheckResult {
        let sql = """
            SELECT coalesce(r.rolname, '(every role)') AS role, coalesce(d.datname, '(every database)') AS database, c.item
            FROM pg_catalog.pg_db_role_setting AS s
            LEFT JOIN pg_catalog.pg_roles AS r ON r.oid = s.setrole
            LEFT JOIN pg_catalog.pg_database AS d ON d.oid = s.setdatabase
            CROSS JOIN LATERAL unnest(s.setconfig) AS c(item)
            WHERE split_part(c.item, '=', 1) = ANY ($1::text[])
              AND (s.setdatabase = 0 OR d.datname = pg_catalog.current_database())
              AND (s.setrole = 0 OR EXISTS (SELECT FROM pg_catalog.pg_roles AS a
                                            WHERE a.rolname = ANY ($2::text[]) AND pg_catalog.pg_has_role(s.setrole, a.oid, 'MEMBER')))
            UNION ALL
            SELECT '(every role)', '(server: ' || source || ')', name || '=' || setting FROM pg_catalog.pg_settings
            WHERE name = ANY ($1::text[]) AND source IN ('configuration file', 'command line', 'environment variable')
            ORDER BY 1, 2, 3
            """
        let found = try db.query(sql, [SQL.textArray(tenantSettings), SQL.textArray(uniqued(spec.roles.accessRoles))]).rows.map { row in
            "\(row[0] ?? "?") in \(row[1] ?? "?"): \(row[2] ?? "?")"
        }
        return check("no-preset-tenant-setting", "-", spec.roles.app, "CONTEXT",
                     "no role the application acts as starts its sessions with a tenant setting", sql, expected: "none",
                     actual: found.isEmpty ? "none" : found.joined(separator: "; ") + ": remove it (ALTER ROLE … RESET <setting>)",
                     passed: found.isEmpty)
    }
}
