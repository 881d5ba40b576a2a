import Foundation
import LocalPostgres
import Postgres
import Quoting
import XCTest

/// The client examples under clients/ run as the application would, through PgBouncer in transaction mode
/// with one server connection per user and two clients on it, against the context (workflow-platform, also
/// with `missing_context: error`), signed (support-desk) and role (clinic-portal) examples.
///
/// Each example must read its own tenant's rows only, 0 rows (or TW001) with no binding, have its write of
/// another tenant's row refused, and leave nothing to the next client of its server connection. Then the same
/// example runs with its setter changed to a session-scope `set_config(…, false)`, and the checks must catch it:
/// a test that could not fail would prove nothing. An example whose toolchain is absent is skipped, saying
/// which Debian package to install.
final class ClientExampleTests: XCTestCase {
    func testGoLibPQ() throws { try check(.goLibPQ) }
    func testGoPgx() throws { try check(.goPgx) }
    func testNodePg() throws { try check(.nodePg) }
    func testPythonPsycopg() throws { try check(.psycopg) }
    func testPythonSQLAlchemy() throws { try check(.sqlalchemy) }

    /// A toolchain that is not installed is a skip that names the package, never a pass: the same lookups the
    /// five examples use, pointed at what no machine has.
    func testAMissingToolchainNamesItsPackage() {
        let go = ClientExample.go("go-libpq", package: "github.com/tenantwall/absent", debian: "golang-github-tenantwall-absent-dev")
        XCTAssertEqual(go.missing().map { $0.contains("apt-get install golang-github-tenantwall-absent-dev") }, true, go.missing() ?? "nil")
        let python = ClientExample.python("python-psycopg", modules: ["tenantwall_absent_module"], debian: "python3-tenantwall-absent")
        XCTAssertEqual(python.missing().map { $0.contains("apt-get install python3-tenantwall-absent") }, true, python.missing() ?? "nil")
    }

    /// The dbt example: each model run bound to the tenant given in `--vars` by the pre-hook, through the pooler.
    /// A run builds only its tenant's rows, a run without a tenant fails before building anything, the next client
    /// of dbt's server connection reads nothing; with a session-scope setter it reads the run's tenant.
    func testDbtModelRunBindsItsTenant() throws {
        _ = try TestServer.shared
        guard LocalPooler.findBinary() != nil else { throw XCTSkip("no pgbouncer binary (apt-get install pgbouncer): the client examples run through one") }
        guard let dbt = ClientExample.dbtBinary else {
            throw XCTSkip("dbt: no dbt (scripts/setup.sh installs dbt-core and dbt-postgres 1.9 from PyPI into /opt/tenantwall/dbt; or set DBT)")
        }
        let fixture = try ClientFixture.shared
        let db = try Connection(TestServer.shared.connectionString(database: fixture.dbt.database))
        let scratch = FileManager.default.temporaryDirectory.appendingPathComponent("tenantwall-dbt-\(getpid())")
        defer { try? FileManager.default.removeItem(at: scratch) }
        func run(_ user: String, _ schema: String, _ vars: String?) -> (status: Int32, stdout: String, stderr: String) {
            let environment = ["PGHOST": fixture.pooler.directory.path, "PGPORT": String(fixture.pooler.port), "PGDATABASE": fixture.dbt.database, "PGUSER": user,
                               "TW_DBT_SCHEMA": schema, "DBT_SEND_ANONYMOUS_USAGE_STATS": "false", "DBT_VERSION_CHECK": "false",
                               "DBT_TARGET_PATH": scratch.appendingPathComponent("target").path, "DBT_LOG_PATH": scratch.appendingPathComponent("logs").path]
            return Toolchain.run([dbt, "run", "--profiles-dir", "."] + (vars.map { ["--vars", $0] } ?? []), environment: environment, timeout: 300,
                                 directory: ClientExample.directory.appendingPathComponent("dbt"))
        }
        func built(_ schema: String) throws -> String {
            try db.query("SELECT coalesce(string_agg(DISTINCT tenant_id::text, ',') || ':' || count(*), 'none') FROM \(SQL.qualified(schema, "tenant_workflows"))").scalar ?? "?"
        }
        func nextClient(_ user: String) throws -> String? {
            try Connection(fixture.pooler.connectionString(database: fixture.dbt.database, user: user)).query("SELECT count(*) FROM public.workflows").scalar
        }
        for (tenant, expected) in [("1", "1:2"), ("2", "2:1")] {
            let result = run(fixture.dbt.user, "analytics_\(tenant)", "{tenant_id: \(tenant)}")
            XCTAssertEqual(result.status, 0, result.stdout + result.stderr)
            XCTAssertEqual(try built("analytics_\(tenant)"), expected, "the model holds its tenant's rows, with no WHERE in it")
            XCTAssertEqual(try nextClient(fixture.dbt.user), "0", "nothing of tenant \(tenant) reaches the next client of dbt's server connection")
        }
        let unbound = run(fixture.dbt.user, "analytics_none", nil)
        XCTAssertNotEqual(unbound.status, 0)
        XCTAssertTrue(unbound.stdout.contains("no tenant for this run"), unbound.stdout + unbound.stderr)
        XCTAssertEqual(try db.query("SELECT to_regclass('analytics_none.tenant_workflows')::text").scalar, nil, "nothing built without a tenant")

        let session = "select set_config('app.current_tenant_id', $1, false)"
        let broken = run(fixture.dbt.broken, "analytics_broken", "{tenant_id: 1, tenantwall_setter: \"\(session)\"}")
        XCTAssertEqual(broken.status, 0, broken.stdout + broken.stderr)
        XCTAssertEqual(try nextClient(fixture.dbt.broken), "2", "a session-scope setter in the pre-hook: the next client reads tenant 1's rows, as the checks above would catch")
        try Connection(fixture.pooler.connectionString(database: fixture.dbt.database, user: fixture.dbt.broken)).execute("DISCARD ALL")
    }

    func check(_ example: ClientExample) throws {
        _ = try TestServer.shared  // no server is a failure, whatever is installed
        guard LocalPooler.findBinary() != nil else { throw XCTSkip("no pgbouncer binary (apt-get install pgbouncer): the client examples run through one") }
        if let reason = example.missing() { throw XCTSkip("\(example.name): \(reason)") }
        let fixture = try ClientFixture.shared
        for scenario in fixture.scenarios {
            let (steps, output) = try example.run(scenario.environment)
            XCTAssertEqual(scenario.problems(steps, routes: example.routes), [], "\(example.name), \(scenario.name):\n\(output)")
        }
        // The same through DATABASE_URL (a URL, libpq's other convention), with the second client's and the
        // admin's users given on top of it.
        for scenario in fixture.scenarios where [.context, .role].contains(scenario.binding) && scenario.unboundError == nil {
            var environment = scenario.environment
            let (user, database) = (environment["PGUSER"] ?? "", environment["PGDATABASE"] ?? "")
            for name in ["PGHOST", "PGPORT", "PGUSER", "PGDATABASE"] { environment.removeValue(forKey: name) }
            // The port in the authority: node-pg's parser (pg-connection-string 2.5) drops a `port` query parameter.
            environment["DATABASE_URL"] = "postgresql://\(user)@:\(fixture.pooler.port)/\(database)?host=\(fixture.pooler.directory.path)"
            let (steps, output) = try example.run(environment)
            XCTAssertEqual(scenario.problems(steps, routes: example.routes), [], "\(example.name), \(scenario.name) through DATABASE_URL:\n\(output)")
        }
        for scenario in fixture.scenarios {
            guard let setter = scenario.sessionSetter, let user = scenario.brokenUser else { continue }
            var broken = scenario
            broken.environment["TW_SETTER"] = setter
            broken.environment["PGUSER"] = user
            broken.environment.removeValue(forKey: "TW_ADMIN_USER")
            let (steps, output) = try example.run(broken.environment)
            let problems = broken.problems(steps, routes: example.routes)
            XCTAssertTrue(problems.contains { $0.hasPrefix(scenario.sessionSetterCaught) },
                          "\(example.name), \(scenario.name) with a session-scope setter: expected \(scenario.sessionSetterCaught)…, got \(problems)\n\(output)")
            // What the session setter left on that user's server connection goes, so the next run starts clean.
            let reset = try Connection(fixture.pooler.connectionString(database: broken.environment["PGDATABASE"] ?? "", user: user))
            try reset.execute("DISCARD ALL")
        }
    }
}
