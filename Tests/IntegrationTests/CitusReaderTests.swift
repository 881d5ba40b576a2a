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
}
