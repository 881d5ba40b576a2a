import Foundation
import LocalPostgres
import PolicyGen
import Postgres
import Quoting
import Verification
import XCTest

/// A tenant setting that survives every transaction: preset on a role the application logs in as (`ALTER ROLE …
/// SET`), on the database, or written session-wide by the setter. Each is shown to bind a tenant that no setter
/// bound, then caught by verify, and the check passes again once it is removed.
extension VerifyTests {
    func settingChecks(_ spec: Spec, _ conninfo: String) throws -> [String: CheckResult] {
        let report = try Verifier(spec: spec, conninfo: conninfo).run()
        return Dictionary(uniqueKeysWithValues: report.checks.filter { ["no-preset-tenant-setting", "context-setting-transaction-local"].contains($0.id) }.map { ($0.id, $0) })
    }

    func testATenantSettingPresetOnALoginRoleFailsVerify() throws {
        let (spec, db, conninfo) = try applied()
        try db.execute("INSERT INTO public.workflows (tenant_id, name, definition) VALUES (1, 'a', '{}'), (1, 'b', '{}'), (2, 'c', '{}')")
        let clean = try settingChecks(spec, conninfo)
        XCTAssertEqual(clean["no-preset-tenant-setting"]?.status, .passed, "\(String(describing: clean["no-preset-tenant-setting"]))")
        XCTAssertEqual(clean["context-setting-transaction-local"]?.status, .passed, "\(String(describing: clean["context-setting-transaction-local"]))")

        // The login role the application connects as, a member of the app role, preset to tenant 1.
        let login = "\(spec.roles.app)_login"
        try db.execute("CREATE ROLE \(SQL.ident(login)) LOGIN NOBYPASSRLS IN ROLE \(SQL.ident(spec.roles.app))")
        defer { _ = try? db.execute("DROP OWNED BY \(SQL.ident(login)); DROP ROLE \(SQL.ident(login))") }
        try db.execute("ALTER ROLE \(SQL.ident(login)) SET \(SQL.ident(spec.tenancy.setting)) = '1'")
        let database = try XCTUnwrap(try db.query("SELECT current_database()").scalar)
        let app = try Connection(TestServer.shared.connectionString(database: database) + " user=\(login)")
        XCTAssertEqual(try app.query("SELECT count(*) FROM public.workflows").scalar, "2", "with no setter run, the session reads tenant 1's rows: the wall below is not vacuous")

        let preset = try XCTUnwrap(try settingChecks(spec, conninfo)["no-preset-tenant-setting"])
        XCTAssertEqual(preset.status, .failed)
        XCTAssertTrue(preset.actual.contains("\(login) in (every database): \(spec.tenancy.setting)=1"), preset.actual)

        try db.execute("ALTER ROLE \(SQL.ident(login)) RESET ALL")
        XCTAssertEqual(try settingChecks(spec, conninfo)["no-preset-tenant-setting"]?.status, .passed)

        // The same for the access role itself in this database only, and for the whole database.
        try db.execute("ALTER ROLE \(SQL.ident(spec.roles.admin)) IN DATABASE \(SQL.ident(database)) SET \(SQL.ident(spec.tenancy.setting)) = '2'")
        try db.execute("ALTER DATABASE \(SQL.ident(database)) SET \(SQL.ident(spec.tenancy.setting)) = '2'")
        let both = try XCTUnwrap(try settingChecks(spec, conninfo)["no-preset-tenant-setting"])
        XCTAssertEqual(both.status, .failed)
        XCTAssertTrue(both.actual.contains("\(spec.roles.admin) in \(database)") && both.actual.contains("(every role) in \(database)"), both.actual)
        try db.execute("ALTER ROLE \(SQL.ident(spec.roles.admin)) IN DATABASE \(SQL.ident(database)) RESET ALL; ALTER DATABASE \(SQL.ident(database)) RESET ALL")
        XCTAssertEqual(try settingChecks(spec, conninfo)["no-preset-tenant-setting"]?.status, .passed)
    }

    /// A setter that writes the setting itself session-wide: the setting is still there in the next
    /// transaction, where application code or a view reading it directly would find the last client's tenant.
    func testASetterWritingTheSettingSessionWideFailsVerify() throws {
        let (spec, db, conninfo) = try applied()
        try db.execute("""
            CREATE OR REPLACE FUNCTION tenantwall.set_tenant_context(tenant bigint) RETURNS void LANGUAGE sql VOLATILE
            AS $$ SELECT pg_catalog.set_config('app.current_tenant_id', tenant::text, false) $$
            """)
        let setting = try XCTUnwrap(try settingChecks(spec, conninfo)["context-setting-transaction-local"])
        XCTAssertEqual(setting.status, .failed)
        XCTAssertTrue(setting.actual.contains("survived the transaction: app.current_tenant_id = "), setting.actual)
    }
}
