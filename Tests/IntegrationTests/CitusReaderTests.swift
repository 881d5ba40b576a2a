import PolicyGen
import Postgres
import XCTest

/// The reader a Citus spec generates (PL/pgSQL, so that the workers call it once per shard query instead of
/// inlining it at every plan: CitusStatements.reader), run on a plain server for every tenant type: it must
/// return what the readers elsewhere return, NULL with no context or an empty one and the typed value
/// otherwise, and a policy through it must admit the context's rows only. Citus itself runs it in CitusTests.
final class CitusReaderTests: XCTestCase {
    func testTheCitusReaderReturnsTheContextForEveryTenantType() throws {
        let values: [TenantType: (String, String)] = [.uuid: ("00000000-0000-4000-8000-000000000007", "00000000-0000-4000-8000-000000000008"),
                                                      .bigint: ("7", "8"), .integer: ("7", "8"), .text: ("acme", "other")]
        for type in TenantType.allCases {
            let (_, db) = try TestServer.freshDatabase("citusreader")
            let spec = try SpecLoader.load([("x.yaml", """
                tenancy: {column: tenant_id, type: \(type.rawValue), distribution: citus, helper_schema: twr, setting: app.reader_test}
                roles: {owner: twr_owner, app: twr_app}
                tables: [{name: t, isolation: tenant, columns: {tenant_id: \(type.rawValue), n: integer}, primary_key: [tenant_id, n]}]
                """)])
            let reader = Generator(spec: spec).sections().flatMap(\.statements).map(\.sql)
                .filter { $0.contains("FUNCTION \"twr\".\"current_tenant_id\"()") }
            XCTAssertEqual(reader.count, 1, "\(type): one reader")
            XCTAssertTrue(reader[0].contains("LANGUAGE plpgsql STABLE"), "\(type): \(reader[0])")
            try db.execute("CREATE SCHEMA twr")
            try db.execute(reader[0])
            let (mine, other) = values[type]!
            XCTAssertNil(try db.query("SELECT twr.current_tenant_id()::text").scalar, "\(type): no context, NULL")
            try db.execute("SET app.reader_test = ''")
            XCTAssertNil(try db.query("SELECT twr.current_tenant_id()::text").scalar, "\(type): an empty context, NULL")
            try db.execute("SET app.reader_test = '\(mine)'")
            XCTAssertEqual(try db.query("SELECT twr.current_tenant_id()::text").scalar, mine, "\(type): the context's value")
            XCTAssertEqual(try db.query("SELECT pg_typeof(twr.current_tenant_id())::text").scalar, type.rawValue, "\(type): the spec's type")
            // Through a policy, as on the shards: the context's row only.
            try db.execute("CREATE ROLE twr_reader_\(type.rawValue)")
            try db.execute("CREATE TABLE t (tenant_id \(type.rawValue), n integer)")
            try db.execute("INSERT INTO t VALUES ('\(mine)', 1), ('\(other)', 2)")
            try db.execute("ALTER TABLE t ENABLE ROW LEVEL SECURITY, FORCE ROW LEVEL SECURITY")
            try db.execute("CREATE POLICY p ON t USING (tenant_id = twr.current_tenant_id())")
            try db.execute("GRANT USAGE ON SCHEMA twr TO twr_reader_\(type.rawValue)")
            try db.execute("GRANT SELECT ON t TO twr_reader_\(type.rawValue)")
            try db.execute("SET ROLE twr_reader_\(type.rawValue)")
            XCTAssertEqual(try db.query("SELECT string_agg(n::text, ',') FROM t").scalar, "1", "\(type): only the context's row")
            try db.execute("SET app.reader_test = ''")
            XCTAssertNil(try db.query("SELECT string_agg(n::text, ',') FROM t").scalar, "\(type): no context, no row")
            try db.execute("RESET ROLE")
            try db.execute("DROP TABLE t")
            try db.execute("DROP OWNED BY twr_reader_\(type.rawValue)")
            try db.execute("DROP ROLE twr_reader_\(type.rawValue)")
        }
    }

    /// With the extension's helpers the shards' policies call its C reader itself, given the spec's setting
    /// (Tenancy.shardPolicyReader), as does `required_tenant_id()`; `current_tenant_id()` stays for the
    /// application. Run on a plain server with the extension: the context's rows, none without one, an error
    /// (22P02) for a malformed one.
    func testTheShardPoliciesCallTheCReaderWithTheExtension() throws {
        let values: [TenantType: (String, String)] = [.uuid: ("00000000-0000-4000-8000-000000000007", "00000000-0000-4000-8000-000000000008"),
                                                      .bigint: ("7", "8"), .integer: ("7", "8"), .text: ("acme", "other")]
        for type in TenantType.allCases {
            for missing in ["empty", "error"] {
                let spec = try SpecLoader.load([("x.yaml", """
                    tenancy: {column: tenant_id, type: \(type.rawValue), distribution: citus, helpers: extension, helper_schema: twr, setting: app.reader_test, missing_context: \(missing)}
                    roles: {owner: twr_owner, app: twr_app}
                    tables: [{name: t, isolation: tenant, columns: {tenant_id: \(type.rawValue), n: integer}, primary_key: [tenant_id, n]}]
                    """)])
                let sql = Generator(spec: spec).sections().flatMap(\.statements).map(\.sql)
                let reader = "\"twr\".\"context_\(type.rawValue)\"('app.reader_test')"
                let policy = try XCTUnwrap(sql.first { $0.hasPrefix("CREATE POLICY \"tw_tenant_select\"") }, "\(type)")
                if missing == "empty" {
                    XCTAssertTrue(policy.contains("\"tenant_id\" = \(reader)"), "\(type): \(policy)")
                } else {
                    XCTAssertTrue(policy.contains("required_tenant_id"), "\(type): \(policy)")
                    let required = try XCTUnwrap(sql.first { $0.contains("FUNCTION \"twr\".\"required_tenant_id\"(relation text)") })
                    XCTAssertTrue(required.contains("COALESCE(\(reader), "), "\(type): \(required)")
                }
                let app = try XCTUnwrap(sql.first { $0.contains("FUNCTION \"twr\".\"current_tenant_id\"()") })
                XCTAssertTrue(app.contains("RETURN \(reader)"), "\(type): the application's reader reads the same: \(app)")
            }
            let (_, db) = try TestServer.freshDatabase("citusnative")
            guard try db.query("SELECT count(*) FROM pg_available_extensions WHERE name = 'tenantwall'").scalar == "1" else {
                throw XCTSkip("the tenantwall extension is not installed for this server (scripts/setup.sh installs it)")
            }
            let spec = try SpecLoader.load([("x.yaml", """
                tenancy: {column: tenant_id, type: \(type.rawValue), distribution: citus, helpers: extension, helper_schema: twr, setting: app.reader_test}
                roles: {owner: twr_owner, app: twr_app}
                tables: [{name: t, isolation: tenant, columns: {tenant_id: \(type.rawValue), n: integer}, primary_key: [tenant_id, n]}]
                """)])
            let policy = try XCTUnwrap(Generator(spec: spec).sections().flatMap(\.statements).map(\.sql).first { $0.hasPrefix("CREATE POLICY \"tw_tenant_select\"") })
            let role = "twr_native_\(type.rawValue)"
            try db.execute("CREATE SCHEMA twr")
            try db.execute("CREATE EXTENSION tenantwall WITH SCHEMA twr")
            try db.execute("CREATE ROLE \(role)")
            try db.execute("CREATE TABLE public.t (tenant_id \(type.rawValue), n integer)")
            let (mine, other) = values[type]!
            try db.execute("INSERT INTO public.t VALUES ('\(mine)', 1), ('\(other)', 2)")
            try db.execute("ALTER TABLE public.t ENABLE ROW LEVEL SECURITY, FORCE ROW LEVEL SECURITY")
            try db.execute(policy.replacingOccurrences(of: "TO \"twr_app\"", with: "TO \(role)"))
            try db.execute("GRANT USAGE ON SCHEMA twr TO \(role)")
            try db.execute("GRANT SELECT ON public.t TO \(role)")
            try db.execute("SET ROLE \(role)")
            let rows = "SELECT coalesce(string_agg(n::text, ','), 'none') FROM public.t"
            XCTAssertEqual(try db.query(rows).scalar, "none", "\(type): no context, no row")
            try db.execute("SET app.reader_test = '\(mine)'")
            XCTAssertEqual(try db.query(rows).scalar, "1", "\(type): only the context's row")
            if type != .text {
                try db.execute("SET app.reader_test = '\(mine) OR true'")
                XCTAssertThrowsError(try db.query(rows), "\(type): a malformed context fails the statement") {
                    XCTAssertTrue("\($0)".contains("22P02"), "\($0)")
                }
            }
            try db.execute("RESET ROLE")
        }
    }
}
