import Deploy
import Foundation
import Identity
import LocalPostgres
import PolicyGen
import Postgres
import Quoting
import Tenantwall
import Verification
import XCTest

/// `tenancy.missing_context: error`: a statement of an access role on a tenant table without a context fails
/// with TW001, naming the role, the table and the setter, while the tenant's own statements, admin mode, the
/// owner's maintenance and verify keep working, and the tenant index still serves the policy.
final class MissingContextTests: XCTestCase {
    func applied(_ helpers: HelperInstall, _ change: (inout Spec) -> Void = { _ in }) throws -> (name: String, db: Connection, spec: Spec) {
        var spec = try SpecFiles.load([TestServer.path("policies/workflow-platform")])
        spec.tenancy.helpers = helpers
        spec.tenancy.missingContext = .error
        change(&spec)
        let (name, db) = try TestServer.freshDatabase("loud")
        try LiveDatabase(connection: db).apply(spec)
        XCTAssertTrue(try LiveDatabase(connection: db).plan(spec).isEmpty, "\(helpers): second plan is empty")
        return (name, db, spec)
    }

    func assertLoud(_ error: Error, role: String, table: String, _ label: String, file: StaticString = #filePath, line: UInt = #line) {
        guard let error = error as? PostgresError else { return XCTFail("\(label): \(error)", file: file, line: line) }
        XCTAssertEqual(error.sqlState, MissingContext.sqlState, "\(label): \(error)", file: file, line: line)
        XCTAssertTrue(error.message.contains(role) && error.message.contains(table), "\(label): names role and table: \(error.message)", file: file, line: line)
        XCTAssertTrue((error.hint ?? "").contains("tenantwall.set_tenant_context("), "\(label): the hint names the setter: \(error.hint ?? "none")", file: file, line: line)
    }

    func testStatementsWithoutContextFailLoudly() throws {
        for helpers in HelperInstall.allCases { try assertStatementsWithoutContextFailLoudly(helpers) }
    }

    func assertStatementsWithoutContextFailLoudly(_ helpers: HelperInstall) throws {
        let (name, db, _) = try applied(helpers) { $0.roles.ownerAccess = .all }
        try db.execute("INSERT INTO public.workflows (tenant_id, name, definition) VALUES (1, 'a', '{}'), (1, 'b', '{}'), (2, 'c', '{}')")
        let counts = "SELECT string_agg(DISTINCT tenant_id::text, ',') || ':' || count(*) FROM public.workflows"

        func asRole(_ role: String, _ setup: String? = nil, _ body: () throws -> Void) throws {
            try db.execute("BEGIN; SET LOCAL ROLE \(SQL.ident(role))")
            defer { _ = try? db.execute("ROLLBACK") }
            if let setup { try db.query(setup) }
            try body()
        }
        for setup in [nil, "SELECT set_config('app.current_tenant_id', '', true)"] {
            for role in ["wf_app", "wf_support"] {
                try asRole(role, setup) {
                    XCTAssertThrowsError(try db.query(counts)) { assertLoud($0, role: role, table: "public.workflows", "\(helpers) \(role) \(setup ?? "no context"): SELECT") }
                }
            }
            try asRole("wf_app", setup) {
                XCTAssertThrowsError(try db.query("INSERT INTO public.workflows (tenant_id, name, definition) VALUES (1, 'x', '{}')")) {
                    assertLoud($0, role: "wf_app", table: "public.workflows", "\(helpers) \(setup ?? "no context"): INSERT")
                }
            }
            try asRole("wf_app", setup) {
                XCTAssertThrowsError(try db.query("SELECT count(*) FROM public.tenants")) { assertLoud($0, role: "wf_app", table: "public.tenants", "\(helpers): the tenants table") }
            }
        }
        try asRole("wf_app", "SELECT tenantwall.set_tenant_context(1)") {
            XCTAssertEqual(try db.query(counts).scalar, "1:2", "\(helpers): with a context, as before")
        }
        try asRole("wf_app", "SELECT set_config('app.current_tenant_id', 'nope', true)") {
            XCTAssertThrowsError(try db.query(counts)) { XCTAssertEqual(($0 as? PostgresError)?.sqlState, "22P02", "\(helpers): malformed is still 22P02") }
        }
        try asRole("wf_admin", "SELECT tenantwall.enable_admin_mode('missing context test')") {
            XCTAssertEqual(try db.query(counts).scalar, "1,2:3", "\(helpers): admin mode sees every tenant, no context needed")
        }
        try asRole("wf_admin") {
            XCTAssertEqual(try db.query("SELECT count(*) FROM public.workflows").scalar, "0", "\(helpers): the admin role outside admin mode: quiet, nothing")
        }
        try asRole("wf_owner") {
            XCTAssertEqual(try db.query("SELECT count(*) FROM public.workflows").scalar, "3", "\(helpers): the owner's maintenance (owner_access: all)")
        }
        XCTAssertNil(try db.query("SELECT tenantwall.current_tenant_id()").scalar, "\(helpers): the reader itself still says NULL")

        let report = try Verifier(spec: try SpecFiles.load([TestServer.path("policies/workflow-platform")]).with { $0.tenancy.helpers = helpers; $0.tenancy.missingContext = .error; $0.roles.ownerAccess = .all },
                                  conninfo: TestServer.shared.connectionString(database: name)).run()
        XCTAssertEqual(report.failed.map { "\($0.table) \($0.id) \($0.role): \($0.actual)" }, [], "\(helpers): verify holds and expects the loud error")
        let loud = report.checks.filter { $0.id == "select-none-context" && $0.role == "wf_app" }
        XCTAssertFalse(loud.isEmpty)
        XCTAssertTrue(loud.allSatisfy { $0.expected.contains(MissingContext.sqlState) }, "\(helpers): verify demands \(MissingContext.sqlState)")
    }

    /// The wrapper is inlined around the same reader: the policy is still an index condition on the tenant index.
    func testTheTenantIndexStillServesThePolicy() throws {
        for helpers in HelperInstall.allCases {
            let (_, db, _) = try applied(helpers)
            try db.execute("""
                INSERT INTO public.workflows (tenant_id, name, definition) SELECT g % 200, 'w' || g, '{}' FROM generate_series(1, 20000) AS g;
                ANALYZE public.workflows;
                """)
            try db.execute("BEGIN; SET LOCAL ROLE wf_app")
            defer { _ = try? db.execute("ROLLBACK") }
            try db.query("SELECT tenantwall.set_tenant_context(7)")
            let plan = try db.query("EXPLAIN (COSTS OFF) SELECT * FROM public.workflows").rows.compactMap { $0.first ?? nil }.joined(separator: "\n")
            XCTAssertTrue(plan.contains("Index Cond: (tenant_id = "), "\(helpers): an index condition on the tenant column:\n\(plan)")
            XCTAssertFalse(plan.contains("Seq Scan"), "\(helpers):\n\(plan)")
            XCTAssertTrue(plan.contains(helpers == .extension ? "context_bigint" : "InitPlan"), "\(helpers): the same reader as with missing_context: empty:\n\(plan)")
            print("missing_context: error, \(helpers) helpers:\n\(plan)")
            XCTAssertEqual(try db.query("SELECT count(*) FROM public.workflows").scalar, "100")
        }
    }

    /// Through a transaction-mode pooler the next client of the server connection gets the loud error, not a quiet
    /// empty result.
    func testTheNextClientOfAPooledConnectionGetsTheError() throws {
        _ = try TestServer.shared  // no server is a failure, whether or not PgBouncer is installed
        guard LocalPooler.findBinary() != nil else { throw XCTSkip("no pgbouncer binary (apt-get install pgbouncer, or set PGBOUNCER)") }
        let (name, db, _) = try applied(.extension)
        try db.execute("INSERT INTO public.workflows (tenant_id, name, definition) VALUES (1, 'a', '{}')")
        let user = "loud_app_\(getpid())"
        try db.execute("DO $$ BEGIN IF NOT EXISTS (SELECT FROM pg_roles WHERE rolname = \(SQL.literal(user))) THEN CREATE ROLE \(SQL.ident(user)) LOGIN; END IF; END $$; GRANT wf_app TO \(SQL.ident(user))")
        let pooler = try LocalPooler.start(in: TestServer.shared, users: [user])
        defer { pooler.stop() }
        let a = try Connection(pooler.connectionString(database: name, user: user)), b = try Connection(pooler.connectionString(database: name, user: user))
        try a.transaction { try a.query("SELECT tenantwall.set_tenant_context(1)"); XCTAssertEqual(try a.query("SELECT count(*) FROM public.workflows").scalar, "1") }
        XCTAssertEqual(try a.query("SELECT pg_backend_pid()").scalar, try b.query("SELECT pg_backend_pid()").scalar)
        XCTAssertThrowsError(try b.query("SELECT count(*) FROM public.workflows")) { assertLoud($0, role: user, table: "public.workflows", "pooled B") }
    }

    /// The signed binding: no token, or one that binds nothing (signed with another key), fails loudly in both
    /// helper forms (the raising function asks the token's reader again before it raises); a valid one reads as before.
    func testTheSignedBindingFailsLoudlyWithoutAValidToken() throws {
        let secret = Array("tenantwall-test-secret-0123456789abcdef".utf8)
        func token(_ tenant: Int, _ key: [UInt8]) throws -> String {
            try JWT.sign(JWT.claims(path: "tenant_id", value: tenant, expires: Date().addingTimeInterval(300)), secret: key)
        }
        for helpers in HelperInstall.allCases {
            let (_, db, spec) = try applied(helpers) { $0.tenancy.binding = .signed }
            try db.execute("INSERT INTO public.workflows (tenant_id, name, definition) VALUES (1, 'a', '{}'), (1, 'b', '{}'), (2, 'c', '{}')")
            try SigningKeys.rotate(db, spec: spec, secret: secret, id: "k1", overlap: 0)
            func counted(_ token: String?) throws -> String? {
                try db.execute("BEGIN; SET LOCAL ROLE wf_app")
                defer { _ = try? db.execute("ROLLBACK") }
                if let token { try db.query("SELECT tenantwall.set_tenant_context($1)", [token]) }
                return try db.query("SELECT string_agg(DISTINCT tenant_id::text, ',') || ':' || count(*) FROM public.workflows").scalar
            }
            XCTAssertEqual(try counted(try token(1, secret)), "1:2", "\(helpers): a valid token, as before")
            for (label, value) in [("no token", nil), ("another key's token", try token(1, Array("another-secret-another-secret-0000".utf8)))] {
                XCTAssertThrowsError(try counted(value)) { error in
                    XCTAssertEqual((error as? PostgresError)?.sqlState, MissingContext.sqlState, "\(helpers) \(label): \(error)")
                    XCTAssertTrue(((error as? PostgresError)?.hint ?? "").contains("tenantwall.set_tenant_context(token)"), "\(helpers) \(label): \(error)")
                }
            }
        }
    }

    func testCheckRefusesItWhereItDoesNotApply() throws {
        func yaml(_ extra: String) -> String {
            """
            tenancy: {missing_context: error, \(extra)}
            roles: {owner: o1, app: a1, admin: d1}
            tables:
              - name: t
                isolation: tenant
                columns: {tenant_id: uuid, n: integer}
                primary_key: [tenant_id]
            """
        }
        XCTAssertThrowsError(try SpecLoader.load([("x.yaml", yaml("binding: role"))])) {
            XCTAssertTrue("\($0)".contains("context and signed bindings, not to binding: role: there the login role is the tenant"), "says why: \($0)")
        }
        // On Citus it is proved on the workers (CitusTests.testMissingContextFailsLoudlyOnTheWorkers).
        XCTAssertEqual(try SpecLoader.load([("x.yaml", yaml("distribution: citus"))]).tenancy.missingContext, .error)
        let spec = try SpecLoader.load([("x.yaml", "tenancy: {missing_context: error, binding: signed}\nroles: {owner: o1, app: a1}\ntables: [{name: t, isolation: tenant, columns: {tenant_id: uuid}}]\n")])
        XCTAssertEqual(spec.tenancy.missingContext, .error)
        XCTAssertEqual(try SpecLoader.load([("x.yaml", "roles: {owner: o1, app: a1}\ntables: [{name: t, isolation: tenant, columns: {tenant_id: uuid}}]\n")]).tenancy.missingContext, .empty, "the default")
    }
}

extension Spec {
    func with(_ change: (inout Spec) -> Void) -> Spec { var copy = self; change(&copy); return copy }
}
