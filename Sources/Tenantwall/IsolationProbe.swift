import PolicyGen
import Postgres

/// A short isolation check on a database that holds a spec: writes probe rows for two tenants, then acts as
/// the application role and tries to cross the wall. Everything runs in one transaction that is rolled back,
/// so no probe row survives.
///
/// `tenantwall verify` goes much further; this is the proof the demo and the integration tests run.
public struct IsolationProbe {
    public struct Result: Sendable {
        public var table: String
        public var check: String
        public var passed: Bool
        public var detail: String
    }

    let spec: Spec
    let connection: Connection

    public init(spec: Spec, connection: Connection) {
        self.spec = spec
        self.connection = connection
    }

    public func run() throws -> [Result] {
        try connection.rolledBack {
            try connection.execute("SET LOCAL lock_timeout = '5s'")
            try seed()
            var results: [Result] = []
            for table in spec.tables where table.isolation == .tenant || table.isolation == .self {
                results += try probe(table)
            }
            results += try adminChecks()
            return results
        }
    }

    var helpers: String { spec.tenancy.helperSchema }
    var tenantA: String { ProbeValues.tenant(0, type: spec.tenancy.type) }
    var tenantB: String { ProbeValues.tenant(1, type: spec.tenancy.type) }

    /// Two rows per tenant in every tenant-scoped table, written by the session's own (superuser) role.
    func seed() throws {
        for table in spec.tables where table.isolation == .tenant || table.isolation == .self {
            for (n, tenant) in [tenantA, tenantB].enumerated() {
                for row in 0..<(table.isolation == .self ? 1 : 2) {
                    try connection.execute(insert(table, tenant: tenant, seed: n * 10 + row + 1))
                }
            }
        }
    }

    func insert(_ table: Table, tenant: String, seed: Int) -> String {
        let scope = table.scopeColumn(tenancy: spec.tenancy)!
        let columns = table.columns.filter { $0.name == scope || $0.defaultValue == nil }
        let values = columns.map { column in
            column.name == scope ? SQL.literal(tenant) + "::" + spec.tenancy.type.rawValue
                : ProbeValues.literal(forType: column.type, seed: seed)
        }
        return "INSERT INTO \(SQL.qualified(table.schema, table.name)) (\(SQL.identList(columns.map(\.name)))) VALUES (\(values.joined(separator: ", ")))"
    }

    /// Runs `body` as the application role with the given context, inside a savepoint.
    func asApp<T>(tenant: String?, _ body: () throws -> T) throws -> T {
        try asRole(spec.roles.app, tenant: tenant, body)
    }

    func asRole<T>(_ role: String, tenant: String?, _ body: () throws -> T) throws -> T {
        try connection.execute("SAVEPOINT tw_probe")
        defer {
            _ = try? connection.execute("ROLLBACK TO SAVEPOINT tw_probe")
            _ = try? connection.execute("RELEASE SAVEPOINT tw_probe")
        }
        try connection.execute("SET LOCAL ROLE \(SQL.ident(role))")
        if let tenant {
            try connection.query("SELECT \(SQL.qualified(helpers, "set_tenant_context"))($1::\(spec.tenancy.type.rawValue))", [tenant])
        } else {
            try connection.query("SELECT pg_catalog.set_config($1, '', true)", [spec.tenancy.setting])
        }
        return try body()
    }

    func probe(_ table: Table) throws -> [Result] {
        var out: [Result] = []
        let name = SQL.qualified(table.schema, table.name)
        let scope = SQL.ident(table.scopeColumn(tenancy: spec.tenancy)!)
        let app = spec.roles.app
        func record(_ check: String, _ passed: Bool, _ detail: String) {
            out.append(Result(table: table.qualifiedName, check: check, passed: passed, detail: detail))
        }
        if table.commands(for: app).contains(.select) {
            let (own, other) = try asApp(tenant: tenantA) {
                let rows = try connection.query("SELECT \(scope)::text FROM \(name)").rows.map { $0[0] ?? "" }
                return (rows.filter { $0 == tenantA }.count, rows.filter { $0 != tenantA }.count)
            }
            record("tenant A sees only its rows", own > 0 && other == 0, "\(own) own rows, \(other) of other tenants")
            let none = try asApp(tenant: nil) { try connection.query("SELECT count(*) FROM \(name)").scalar ?? "?" }
            record("no context sees nothing", none == "0", "\(none) rows without a context")
        }
        if table.commands(for: app).contains(.insert) {
            let error = try asApp(tenant: tenantA) { () -> PostgresError? in
                do { try connection.execute(insert(table, tenant: tenantB, seed: 99)); return nil } catch let e as PostgresError { return e }
            }
            record("insert of tenant B's row as A is rejected", error?.sqlState == "42501", error.map { "\($0.sqlState ?? "?"): \($0.message)" } ?? "the row was accepted")
        }
        if table.commands(for: app).contains(.update) || table.commands(for: app).contains(.delete) {
            let affected = try asApp(tenant: tenantA) { () -> Int in
                var n = 0
                if table.commands(for: app).contains(.update) {
                    n += try connection.query("UPDATE \(name) SET \(scope) = \(scope) WHERE \(scope) = $1::\(spec.tenancy.type.rawValue)", [tenantB]).affectedRows
                }
                if table.commands(for: app).contains(.delete) {
                    n += try connection.query("DELETE FROM \(name) WHERE \(scope) = $1::\(spec.tenancy.type.rawValue)", [tenantB]).affectedRows
                }
                return n
            }
            record("update/delete of tenant B's rows as A affects nothing", affected == 0, "\(affected) rows affected")
        }
        if table.partitioning != nil {
            let partition = try connection.query("""
                SELECT c.oid::regclass::text FROM pg_catalog.pg_inherits AS i JOIN pg_catalog.pg_class AS c ON c.oid = i.inhrelid
                WHERE i.inhparent = $1::regclass ORDER BY c.relname LIMIT 1
                """, [name]).scalar
            if let partition {
                let outcome = try asApp(tenant: tenantA) { () -> String in
                    do { return "\(try connection.query("SELECT count(*) FROM \(partition)").scalar ?? "?") rows" }
                    catch let e as PostgresError { return e.sqlState == "42501" ? "permission denied" : "error \(e.sqlState ?? "?")" }
                }
                record("partition \(partition) cannot be read directly", outcome == "permission denied" || outcome == "0 rows", outcome)
            }
        }
        return out
    }

    /// Typing settings grants no admin mode; a non-member cannot enable it; a member can, and then sees
    /// every tenant.
    func adminChecks() throws -> [Result] {
        let forgeToken = "SET LOCAL \(HelperCore.adminTokenSetting) = '00000000-0000-4000-8000-000000000001'"
        let isAdmin = "SELECT \(SQL.qualified(helpers, "admin_mode_enabled"))()::text"
        let tenantTable = spec.tables.first { $0.isolation == .tenant && $0.commands(for: spec.roles.admin).contains(.select) }
        let countTenants = tenantTable.map { t in
            "SELECT count(DISTINCT \(SQL.ident(spec.tenancy.column)))::text FROM \(SQL.qualified(t.schema, t.name))"
        }
        var out: [Result] = []
        if let countTenants, let t = tenantTable, t.commands(for: spec.roles.app).contains(.select) {
            let seen = try asApp(tenant: tenantA) { () -> String in
                try connection.execute(forgeToken)
                return try connection.query(countTenants).scalar ?? "?"
            }
            out.append(Result(table: t.qualifiedName, check: "a forged admin token gives the app role nothing", passed: seen == "1",
                              detail: "\(seen) tenant(s) visible"))
        }
        let forged = try asRole(spec.roles.admin, tenant: tenantA) { () -> String in
            try connection.execute(forgeToken)
            return try connection.query(isAdmin).scalar ?? "?"
        }
        out.append(Result(table: "(admin mode)", check: "a forged admin token does not enable admin mode, even for an admin", passed: forged == "false",
                          detail: "admin_mode_enabled() = \(forged)"))
        let enable = try asApp(tenant: tenantA) { () -> PostgresError? in
            do { try connection.query("SELECT \(SQL.qualified(helpers, "enable_admin_mode"))('probe')"); return nil } catch let e as PostgresError { return e }
        }
        out.append(Result(table: "(admin mode)", check: "the app role cannot enable admin mode", passed: enable?.sqlState == "42501",
                          detail: enable.map { "\($0.sqlState ?? "?"): \($0.message)" } ?? "admin mode was enabled"))
        if let countTenants {
            let (enabled, seen) = try asRole(spec.roles.admin, tenant: tenantA) { () -> (String, String) in
                try connection.query("SELECT \(SQL.qualified(helpers, "enable_admin_mode"))('tenantwall probe')")
                return (try connection.query(isAdmin).scalar ?? "?", try connection.query(countTenants).scalar ?? "?")
            }
            out.append(Result(table: "(admin mode)", check: "the admin role in admin mode sees every tenant", passed: enabled == "true" && seen == "2",
                              detail: "admin_mode_enabled() = \(enabled), \(seen) tenants visible"))
        }
        return out
    }
}
