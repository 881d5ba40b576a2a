import Deploy
import Foundation
import Identity
import LocalPostgres
import PolicyGen
import Postgres
import Quoting
import Tenantwall
import XCTest

/// An example spec applied with data, and what a client example must see through the pooler when it runs
/// against it: the settings it gets (libpq's `PG*` and the scenario's `TW_*`) and the checks on its output.
struct ClientScenario {
    var name: String
    var binding: PolicyGen.Binding
    var environment: [String: String]
    /// Tenant A's and B's values as the list query prints them, and how many rows A has.
    var tenantA: String, tenantB: String, rowsA: Int
    /// What a statement with no binding gets: nil for zero rows, else the SQLSTATE (`TW001`).
    var unboundError: String?
    /// The setter a careless application writes: a session-scope `set_config(…, false)`, which a
    /// transaction-mode pooler hands to the next client. nil for the role binding (no setter).
    var sessionSetter: String?
    /// A login role for the session-setter runs alone, so what they leave on its server connection never
    /// reaches the right setter's runs.
    var brokenUser: String?
    /// How the checks must report that setter: the start of the problem they find.
    var sessionSetterCaught: String {
        binding == .signed ? "own: read []" : "next-client: read [\"\(tenantA)\""
    }

    /// What is wrong with an example's output for this scenario; empty when every wall held.
    /// - Parameter routes: the example shows the Citus pattern (the tenant in the query too): its `routed`
    ///   step must read the tenant's rows, and `routed-other` (bound to A, the parameter naming B) none.
    func problems(_ steps: [String: ClientStep], routes: Bool = false) -> [String] {
        var problems: [String] = []
        func step(_ name: String) -> ClientStep? {
            if let step = steps[name] { return step }
            problems.append("no \(name) step")
            return nil
        }
        func only(_ tenant: String, _ name: String, rows: Int? = nil) {
            guard let s = step(name) else { return }
            if let error = s.error { return problems.append("\(name): failed with \(error)") }
            let tenants = s.tenants ?? []
            if tenants.isEmpty || tenants.contains(where: { $0 != tenant }) { problems.append("\(name): read \(tenants), not only \(tenant)'s rows") }
            if let rows, tenants.count != rows { problems.append("\(name): read \(tenants.count) rows, \(tenant) has \(rows)") }
        }
        func nothing(_ name: String) {
            guard let s = step(name) else { return }
            if let unboundError {
                if s.error != unboundError { problems.append("\(name): \(s.error.map { "failed with \($0)" } ?? "read \(s.tenants ?? [])"), not \(unboundError)") }
            } else if s.error != nil || s.tenants != [] {
                problems.append("\(name): \(s.error.map { "failed with \($0)" } ?? "read \(s.tenants ?? [])") with no tenant bound, not 0 rows")
            }
        }
        only(tenantA, "own", rows: rowsA)
        only(tenantB, "other")
        if let s = step("cross-write"), s.error != "42501" {
            problems.append("cross-write: \(tenantB) writing a row of \(tenantA) gave \(s.error ?? "success"), not 42501")
        }
        if binding == .role {
            if steps["own"]?.backend == steps["other"]?.backend { problems.append("two tenants' roles shared a server connection") }
        } else {
            nothing("unbound")
            nothing("next-client")
            if let next = steps["next-client"], next.error == nil, next.backend != steps["own"]?.backend {
                problems.append("next-client ran on backend \(next.backend ?? 0), not own's \(steps["own"]?.backend ?? 0): the clients did not share a server connection, so nothing was proven")
            }
        }
        if routes && binding != .role {
            only(tenantA, "routed", rows: rowsA)
            if let s = step("routed-other"), s.error != nil || s.tenants != [] {
                problems.append("routed-other: bound to \(tenantA), the parameter naming \(tenantB) read \(s.error ?? "\(s.tenants ?? [])"), not 0 rows")
            }
        }
        if environment["TW_ADMIN_USER"] != nil, let s = step("admin") {
            if !Set(s.tenants ?? []).isSuperset(of: [tenantA, tenantB]) { problems.append("admin: read \(s.error ?? "\(s.tenants ?? [])"), not every tenant") }
        }
        return problems
    }
}

/// The scenarios' databases and the PgBouncer in front of them, built once for the test run.
struct ClientFixture {
    var scenarios: [ClientScenario]
    var pooler: LocalPooler
    /// The dbt example's database (workflow-platform, tenants 1 and 2) and its login roles: one for the right
    /// setter, one for the session-scope variant, each owning a schema per run.
    var dbt: (database: String, user: String, broken: String)

    private static let built: Result<ClientFixture, Error> = Result { try build() }
    static var shared: ClientFixture { get throws { try built.get() } }

    static func build() throws -> ClientFixture {
        let context = try contextScenario("context", missingContext: .empty)
        let dbt = try dbtRoles(context.scenario)
        let loud = try contextScenario("missing-context-error", missingContext: .error)
        let signed = try signedScenario()
        let role = try roleScenario()
        var scenarios = [context.scenario, loud.scenario, signed.scenario, role.scenario]
        let pooler = try LocalPooler.start(in: TestServer.shared, users: context.users + loud.users + signed.users + role.users + [dbt.user, dbt.broken])
        atexit { if case .success(let fixture) = ClientFixture.built { fixture.pooler.stop() } }
        for index in scenarios.indices {
            scenarios[index].environment["PGHOST"] = pooler.directory.path
            scenarios[index].environment["PGPORT"] = String(pooler.port)
        }
        return ClientFixture(scenarios: scenarios, pooler: pooler, dbt: dbt)
    }

    /// Login roles for the dbt runs in the context scenario's database, each owning the schemas its models go to.
    static func dbtRoles(_ context: ClientScenario) throws -> (database: String, user: String, broken: String) {
        let database = context.environment["PGDATABASE"] ?? ""
        let db = try Connection(TestServer.shared.connectionString(database: database))
        let app = try XCTUnwrap(try db.query("SELECT r.rolname FROM pg_roles AS r JOIN pg_auth_members AS m ON m.roleid = r.oid JOIN pg_roles AS u ON u.oid = m.member WHERE u.rolname = $1",
                                             [context.environment["PGUSER"] ?? ""]).scalar)
        let (user, broken) = (try loginRole("cl_dbt", memberOf: app, db), try loginRole("cl_dbt_broken", memberOf: app, db))
        for (schema, owner) in [("analytics_1", user), ("analytics_2", user), ("analytics_none", user), ("analytics_broken", broken)] {
            try db.execute("CREATE SCHEMA \(SQL.ident(schema)) AUTHORIZATION \(SQL.ident(owner))")
        }
        return (database, user, broken)
    }

    static func applied(_ model: String, _ change: (inout Spec) -> Void = { _ in }) throws -> (name: String, db: Connection, spec: Spec) {
        try AppliedExample.applied(model, prefix: "clients", change)
    }

    static func loginRole(_ name: String, memberOf role: String, _ db: Connection) throws -> String {
        try AppliedExample.loginRole(name, memberOf: role, db)
    }

    /// workflow-platform (context binding), tenants 1 and 2; the admin step runs in the plain one.
    static func contextScenario(_ name: String, missingContext: MissingContext) throws -> (scenario: ClientScenario, users: [String]) {
        let (database, db, spec) = try applied("workflow-platform") { $0.tenancy.missingContext = missingContext }
        try db.execute("INSERT INTO public.workflows (tenant_id, name, definition) VALUES (1, 'a', '{}'), (1, 'b', '{}'), (2, 'c', '{}')")
        let tag = missingContext == .error ? "e" : "c"
        let app = try loginRole("cl_wf_app_\(tag)", memberOf: spec.roles.app, db)
        let broken = try loginRole("cl_wf_broken_\(tag)", memberOf: spec.roles.app, db)
        var environment = ["PGDATABASE": database, "PGUSER": app, "TW_BINDING": "context", "TW_TENANT": "1", "TW_OTHER_TENANT": "2",
                           "TW_SETTER": "SELECT tenantwall.set_tenant_context($1)"]
        var users = [app, broken]
        if missingContext == .empty {
            let admin = try loginRole("cl_wf_admin", memberOf: spec.roles.admin, db)
            environment["TW_ADMIN_USER"] = admin
            users.append(admin)
        }
        let scenario = ClientScenario(name: name, binding: .context, environment: environment, tenantA: "1", tenantB: "2", rowsA: 2,
                                      unboundError: missingContext == .error ? "TW001" : nil,
                                      sessionSetter: "SELECT set_config(\(SQL.literal(spec.tenancy.setting)), CAST($1 AS text), false)",
                                      brokenUser: broken)
        return (scenario, users)
    }

    /// support-desk (signed binding): tokens minted by `tenantwall tenant token` with the secret a
    /// `tenant rotate-secret` stored.
    static func signedScenario() throws -> (scenario: ClientScenario, users: [String]) {
        let (database, db, spec) = try applied("support-desk")
        let (orgA, orgB) = ("0a000000-0000-4000-8000-00000000000a", "0b000000-0000-4000-8000-00000000000b")
        try db.query("INSERT INTO public.tickets (org_id, subject) VALUES ($1, 'a1'), ($1, 'a2'), ($1, 'a3'), ($2, 'b1')", [orgA, orgB])
        let secret = "client-examples-secret-0123456789abcdef"
        _ = try SigningKeys.rotate(db, spec: spec, secret: Array(secret.utf8), id: "clients", overlap: 0)
        func token(_ org: String) throws -> String {
            let run = try TenantwallProcess.run(["tenant", "token", "--spec", TestServer.path("policies/support-desk"), "--secret-env", "TW_CLIENT_SECRET",
                                                 "--tenant", org, "--ttl", "30min"], environment: ["TW_CLIENT_SECRET": secret])
            guard run.status == 0 else { throw ToolchainError(message: "tenantwall tenant token: \(run.stderr)") }
            return run.stdout.trimmingCharacters(in: .whitespacesAndNewlines)
        }
        let api = try loginRole("cl_desk_api", memberOf: spec.roles.app, db)
        let broken = try loginRole("cl_desk_broken", memberOf: spec.roles.app, db)
        let setter = "SELECT \(SQL.ident(spec.tenancy.helperSchema)).set_tenant_context($1)"
        let environment = ["PGDATABASE": database, "PGUSER": api, "TW_BINDING": "signed", "TW_TENANT": orgA, "TW_OTHER_TENANT": orgB,
                           "TW_TOKEN": try token(orgA), "TW_OTHER_TOKEN": try token(orgB), "TW_SETTER": setter,
                           "TW_LIST": "SELECT org_id::text FROM tickets ORDER BY id",
                           "TW_ROUTED": "SELECT org_id::text FROM tickets WHERE org_id = $1 ORDER BY id",
                           "TW_INSERT": "INSERT INTO tickets (org_id, subject) VALUES ($1, 'from a client example')"]
        let scenario = ClientScenario(name: "signed", binding: .signed, environment: environment, tenantA: orgA, tenantB: orgB, rowsA: 3,
                                      sessionSetter: "SELECT set_config(\(SQL.literal(spec.tenancy.tokenSetting)), CAST($1 AS text), false)",
                                      brokenUser: broken)
        return (scenario, [api, broken])
    }

    /// clinic-portal (role binding): clinics 1 and 2 provisioned by `tenant add`, each logging in as its role.
    static func roleScenario() throws -> (scenario: ClientScenario, users: [String]) {
        let (database, db, spec) = try applied("clinic-portal") { $0.tenancy.tenantRolePrefix = "cl\(getpid())_" }
        let provisioning = Provisioning(spec: spec, connection: db)
        for id in ["1", "2"] { try provisioning.add(id: id, values: ["name": "clinic \(id)"]) }
        try db.execute("INSERT INTO public.patients (clinic_id, full_name) VALUES (1, 'p1'), (1, 'p2'), (2, 'p3')")
        let (one, two) = (provisioning.tenantRole("1"), provisioning.tenantRole("2"))
        let environment = ["PGDATABASE": database, "PGUSER": one, "TW_OTHER_USER": two, "TW_BINDING": "role", "TW_TENANT": "1", "TW_OTHER_TENANT": "2",
                           "TW_LIST": "SELECT clinic_id::text FROM patients ORDER BY id",
                           "TW_INSERT": "INSERT INTO patients (clinic_id, full_name) VALUES ($1, 'from a client example')"]
        return (ClientScenario(name: "role", binding: .role, environment: environment, tenantA: "1", tenantB: "2", rowsA: 2), [one, two])
    }
}
