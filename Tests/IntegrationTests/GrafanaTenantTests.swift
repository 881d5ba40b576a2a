import Deploy
import Foundation
import Identity
import Postgres
import Quoting
import Tenantwall
import XCTest
import Yams

/// Grafana, one organisation per tenant: `tenant add --read-only --grafana-datasource` makes the clinic-portal
/// example's tenant login role a member of a read-only role and writes the data source that logs in with it.
/// Whatever a panel's SQL types, the role reads its own clinic's rows, writes nothing and cannot widen.
final class GrafanaTenantTests: XCTestCase {
    static let reader = "portal_grafana"

    /// The clinic-portal example with a read-only role for dashboards, and tenant roles unique to this test
    /// (roles belong to the whole server).
    func portalSpec(prefix: String) throws -> String {
        var text = try String(contentsOfFile: TestServer.path("policies/clinic-portal/clinic-portal.yaml"), encoding: .utf8)
        text = text.replacingOccurrences(of: "  admin: portal_ops\n", with: "  admin: portal_ops\n  readonly: [\(Self.reader)]\n")
            .replacingOccurrences(of: "      portal_ops: all\n", with: "      portal_ops: all\n      \(Self.reader): [select]\n")
            .replacingOccurrences(of: "tenant_role_prefix: clinic_", with: "tenant_role_prefix: \(prefix)")
        let dir = FileManager.default.temporaryDirectory.appendingPathComponent("tw-grafana-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: dir, withIntermediateDirectories: true)
        try text.write(to: dir.appendingPathComponent("clinic-portal.yaml"), atomically: true, encoding: .utf8)
        return dir.path
    }

    func testReadOnlyTenantRoleReadsItsClinicWritesNothingAndCannotWiden() throws {
        let specDir = try portalSpec(prefix: "gfa\(getpid())_")
        let (name, db) = try TestServer.freshDatabase("grafana")
        let url = try TestServer.shared.connectionString(database: name)
        let args = ["--spec", specDir, "--database", url]
        try LiveDatabase(connection: db).apply(try SpecFiles.load([specDir]))
        let role = { (id: String) in "gfa\(getpid())_\(id)" }
        let file = FileManager.default.temporaryDirectory.appendingPathComponent("tw-grafana-\(UUID().uuidString).yaml").path
        defer { try? FileManager.default.removeItem(atPath: file) }

        let one = try TenantwallProcess.run(["tenant", "add", "--id", "1", "--set", "name=North", "--read-only", "--grafana-datasource", file, "--grafana-org-id", "7"] + args)
        XCTAssertEqual(one.status, 0, one.stderr)
        let two = try TenantwallProcess.run(["tenant", "add", "--id", "2", "--set", "name=South", "--member-of", Self.reader, "--grafana-datasource", "-"] + args)
        XCTAssertEqual(two.status, 0, two.stderr)
        XCTAssertEqual(two.stderr, "added tenant 2\n", "stdout holds only the YAML")
        XCTAssertEqual(try TenantwallProcess.run(["tenant", "add", "--id", "3", "--set", "name=East"] + args).status, 0)
        try db.execute("""
            INSERT INTO public.patients (clinic_id, full_name) VALUES (1, 'a'), (1, 'b'), (2, 'c'), (2, 'd'), (2, 'e'), (3, 'f');
            INSERT INTO public.appointments (clinic_id, patient_id, starts_at) VALUES (1, 1, now()), (2, 3, now());
            """)

        // The fragments: Grafana's shape, this tenant's user and database, a password only the file holds.
        let fragment = try String(contentsOfFile: file, encoding: .utf8)
        let source = try XCTUnwrap(((try Yams.load(yaml: fragment) as? [String: Any])?["datasources"] as? [[String: Any]])?.first)
        XCTAssertEqual(source["type"] as? String, "grafana-postgresql-datasource")
        XCTAssertEqual(source["user"] as? String, role("1"))
        XCTAssertEqual(source["orgId"] as? Int, 7)
        XCTAssertEqual((source["jsonData"] as? [String: Any])?["database"] as? String, name)
        XCTAssertEqual((source["jsonData"] as? [String: Any])?["postgresVersion"] as? Int, db.serverVersion / 10000 * 100)
        XCTAssertEqual((source["jsonData"] as? [String: Any])?["sslmode"] as? String, "disable")
        let password = try XCTUnwrap((source["secureJsonData"] as? [String: Any])?["password"] as? String)
        XCTAssertEqual(password.count, 43)
        for other in [role("2"), role("3"), "South", "East", "tenant 2"] { XCTAssertFalse(fragment.contains(other), "no other tenant's name: \(other)") }
        XCTAssertFalse(one.stdout.contains(password) || one.stderr.contains(password), "the password goes only to the file")
        XCTAssertEqual(try FileManager.default.attributesOfItem(atPath: file)[.posixPermissions] as? Int, 0o600)
        let second = try XCTUnwrap(((try Yams.load(yaml: two.stdout) as? [String: Any])?["datasources"] as? [[String: Any]])?.first)
        XCTAssertEqual(second["user"] as? String, role("2"))
        XCTAssertNotEqual((second["secureJsonData"] as? [String: Any])?["password"] as? String, password, "each tenant its own password")
        XCTAssertEqual(try db.query("SELECT left(rolpassword, 14) FROM pg_authid WHERE rolname = $1", [role("1")]).scalar, "SCRAM-SHA-256$", "hashed on the client")
        XCTAssertEqual(try db.query("SELECT count(*) FROM portal.tenant_events WHERE details::text LIKE '%' || $1 || '%'", [password]).scalar, "0")
        XCTAssertEqual(try db.query("SELECT string_agg(b.rolname, ',' ORDER BY b.rolname) FROM pg_auth_members m JOIN pg_roles b ON b.oid = m.roleid JOIN pg_roles r ON r.oid = m.member WHERE r.rolname = $1", [role("1")]).scalar, Self.reader)

        let reader = try Connection(TestServer.shared.connectionString(database: name, user: role("1")))
        try assertReadsOnlyItsClinic(reader, tenant: "1", patients: "2")
        try assertWritesNothing(reader)
        for target in ["portal_app", "portal_ops", role("2"), role("3")] {
            XCTAssertThrowsError(try reader.execute("SET ROLE \(SQL.ident(target))"), "SET ROLE \(target) widens nothing") {
                XCTAssertEqual(($0 as? PostgresError)?.sqlState, "42501", "\($0)")
            }
        }
        for setting in ["app.current_tenant_id", "tenantwall.tenant_id", "portal.tenant_id"] {
            try reader.query("SELECT set_config($1, '2', false)", [setting])
        }
        try assertReadsOnlyItsClinic(reader, tenant: "1", patients: "2")
        XCTAssertThrowsError(try reader.query("UPDATE portal.tenant_roles SET tenant = 2")) { XCTAssertEqual(($0 as? PostgresError)?.sqlState, "42501", "\($0)") }
        XCTAssertEqual(try reader.query("SELECT count(*) FROM portal.tenant_roles").scalar, "1", "only its own mapping row")
        try reader.execute("SET ROLE \(SQL.ident(Self.reader))")
        XCTAssertEqual(try reader.query("SELECT count(*) FROM public.patients").scalar, "0", "as the bare read-only role: no tenant")

        XCTAssertEqual(try TenantwallProcess.run(["tenant", "remove", "--id", "2"] + args).status, 0)
        XCTAssertEqual(try db.query("SELECT count(*) FROM pg_roles WHERE rolname = $1", [role("2")]).scalar, "0", "removing the tenant drops its read-only login")
    }

    /// Whatever the names and the password hold (quotes, a colon, a newline, a YAML word), the fragment reads
    /// back as the same strings; libpq's `prefer` and `allow` become what the connection did.
    func testFragmentQuotesEveryValueAndMapsSSLModes() throws {
        let hostile = "a\"b'c: d\n- e #f"
        var settings = Connection.Settings(host: "db.internal", port: "6432", database: hostile, sslMode: "prefer", sslInUse: true)
        let source = GrafanaDataSource(name: "no", user: hostile, password: hostile, settings: settings, serverVersion: 180001)
        let parsed = try XCTUnwrap(((try Yams.load(yaml: source.yaml) as? [String: Any])?["datasources"] as? [[String: Any]])?.first)
        XCTAssertEqual(parsed["name"] as? String, "no")
        XCTAssertEqual(parsed["user"] as? String, hostile)
        XCTAssertEqual(parsed["url"] as? String, "db.internal:6432")
        XCTAssertEqual((parsed["jsonData"] as? [String: Any])?["database"] as? String, hostile)
        XCTAssertEqual((parsed["jsonData"] as? [String: Any])?["postgresVersion"] as? Int, 1800)
        XCTAssertEqual((parsed["jsonData"] as? [String: Any])?["sslmode"] as? String, "require")
        XCTAssertEqual((parsed["secureJsonData"] as? [String: Any])?["password"] as? String, hostile)
        settings.sslInUse = false
        XCTAssertEqual(GrafanaDataSource(name: "n", user: "u", password: "p", settings: settings, serverVersion: 150020).sslMode, "disable")
        settings.sslMode = "verify-full"
        XCTAssertEqual(GrafanaDataSource(name: "n", user: "u", password: "p", settings: settings, serverVersion: 150020).sslMode, "verify-full")
    }

    /// The walls broken on purpose, so that the checks above are seen to fail: without the read-only role in
    /// `tw_own_mapping` the role finds no tenant (0 rows, what the role binding did before), and a tenant role
    /// that also joins the app role can write.
    func testBrokenWallsAreCaught() throws {
        let specDir = try portalSpec(prefix: "gfb\(getpid())_")
        let (name, db) = try TestServer.freshDatabase("grafanabreak")
        try LiveDatabase(connection: db).apply(try SpecFiles.load([specDir]))
        let add = try TenantwallProcess.run(["tenant", "add", "--id", "1", "--set", "name=North", "--read-only", "--spec", specDir,
                                             "--database", try TestServer.shared.connectionString(database: name)])
        XCTAssertEqual(add.status, 0, add.stderr)
        try db.execute("INSERT INTO public.patients (clinic_id, full_name) VALUES (1, 'a'), (1, 'b')")
        let role = "gfb\(getpid())_1"
        let reader = try Connection(TestServer.shared.connectionString(database: name, user: role))
        XCTAssertEqual(try reader.query("SELECT count(*) FROM public.patients").scalar, "2")

        try db.execute("ALTER POLICY tw_own_mapping ON portal.tenant_roles TO portal_app")
        XCTAssertEqual(try reader.query("SELECT count(*) FROM public.patients").scalar, "0", "the mapping hidden from the read-only role: no tenant")
        try db.execute("ALTER POLICY tw_own_mapping ON portal.tenant_roles TO portal_app, \(Self.reader)")

        try db.execute("GRANT portal_app TO \(SQL.ident(role))")
        XCTAssertNoThrow(try reader.query("INSERT INTO public.patients (clinic_id, full_name) VALUES (1, 'x')"), "a member of the app role writes: the check sees it")
    }

    /// The new options' errors exit 2 and change nothing.
    func testLoginOptionErrorsExitTwo() throws {
        let specDir = try portalSpec(prefix: "gfc\(getpid())_")
        let (name, db) = try TestServer.freshDatabase("grafanacli")
        try LiveDatabase(connection: db).apply(try SpecFiles.load([specDir]))
        let file = FileManager.default.temporaryDirectory.appendingPathComponent("tw-grafana-\(UUID().uuidString).yaml").path
        let args = ["tenant", "add", "--id", "1", "--set", "name=North", "--spec", specDir, "--database", try TestServer.shared.connectionString(database: name)]
        let cases: [([String], String)] = [
            (["--member-of", "portal_ops", "--grafana-datasource", file], "only the app role or a read-only role"),
            (["--member-of", "portal_owner"], "only the app role or a read-only role"),
            (["--member-of", "nobody"], "the spec's: portal_grafana"),
            (["--read-only", "--member-of", Self.reader], "not both"),
            (["--grafana-datasource", "-", "--format", "json"], "not with --format json"),
            (["--grafana-org-id", "3"], "goes with --grafana-datasource"),
            (["--password-env", "TW_NO_SUCH_VARIABLE_\(getpid())"], "is not set"),
        ]
        for (extra, message) in cases {
            let run = try TenantwallProcess.run(args + extra)
            XCTAssertEqual(run.status, 2, "\(extra): \(run.stderr)")
            XCTAssertTrue(run.stderr.contains(message), "\(extra): \(run.stderr)")
        }
        let wrongBinding = try TenantwallProcess.run(["tenant", "add", "--id", "1", "--set", "slug=t1", "--read-only", "--spec", "policies/workflow-platform", "--database", "host=/nonexistent-socket-dir dbname=x"])
        XCTAssertEqual(wrongBinding.status, 2)
        XCTAssertTrue(wrongBinding.stderr.contains("not role"), wrongBinding.stderr)
        XCTAssertEqual(try db.query("SELECT count(*) FROM public.clinics").scalar, "0", "nothing added")
        XCTAssertEqual(try db.query("SELECT count(*) FROM pg_roles WHERE rolname = $1", ["gfc\(getpid())_1"]).scalar, "0")
        XCTAssertFalse(FileManager.default.fileExists(atPath: file), "no data-source file left behind")
    }

    func assertReadsOnlyItsClinic(_ reader: Connection, tenant: String, patients: String, file: StaticString = #filePath, line: UInt = #line) throws {
        XCTAssertEqual(try reader.query("SELECT count(*) || ':' || coalesce(string_agg(DISTINCT clinic_id::text, ','), '') FROM public.patients").scalar, "\(patients):\(tenant)", file: file, line: line)
        XCTAssertEqual(try reader.query("SELECT count(*) FROM public.patients WHERE clinic_id <> $1::bigint", [tenant]).scalar, "0", file: file, line: line)
        XCTAssertEqual(try reader.query("SELECT string_agg(id::text, ',') FROM public.clinics").scalar, tenant, file: file, line: line)
        XCTAssertEqual(try reader.query("SELECT count(DISTINCT clinic_id) FROM public.appointments").scalar, "1", file: file, line: line)
    }

    func assertWritesNothing(_ reader: Connection, file: StaticString = #filePath, line: UInt = #line) throws {
        for sql in ["INSERT INTO public.patients (clinic_id, full_name) VALUES (1, 'x')", "UPDATE public.patients SET full_name = 'x'",
                    "DELETE FROM public.patients", "UPDATE public.clinics SET name = 'x'", "DELETE FROM public.appointments",
                    "INSERT INTO public.clinics (id, name) VALUES (9, 'x')"] {
            XCTAssertThrowsError(try reader.query(sql), sql, file: file, line: line) {
                XCTAssertEqual(($0 as? PostgresError)?.sqlState, "42501", "\(sql): \($0)", file: file, line: line)
            }
        }
    }
}
