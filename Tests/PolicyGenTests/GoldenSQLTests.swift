import Foundation
import PolicyGen
import XCTest

/// The generated SQL for every example spec is kept in `Golden/` and reviewed like documentation.
/// Run with `TENANTWALL_UPDATE_GOLDEN=1` to rewrite the files after an intended change (that run still fails).
final class GoldenSQLTests: XCTestCase {
    func testEveryExampleMatchesItsGoldenFile() throws {
        for model in Repository.models {
            let generator = Generator(spec: try SpecLoader.load(Repository.model(model)))
            // What `generate` writes: the transaction's file, then the index step's (no transaction).
            let sql = generator.script() + "\n" + generator.indexScript()
            Golden.assertMatches(sql, file: "Tests/PolicyGenTests/Golden/\(model).sql")
        }
    }

    /// The role binding's mapping is readable through every role a tenant role may join: the app role and the
    /// read-only roles (a Grafana data source), never the admin role.
    func testRoleBindingMappingCoversTheReadOnlyRoles() throws {
        var spec = try SpecLoader.load(Repository.model("clinic-portal"))
        spec.roles.readonly = ["portal_grafana"]
        let sql = Generator(spec: spec).script()
        XCTAssertTrue(sql.contains("CREATE POLICY tw_own_mapping ON \"portal\".\"tenant_roles\" AS PERMISSIVE FOR SELECT TO \"portal_app\", \"portal_grafana\"\n"), sql)
    }

    func testGenerationIsDeterministic() throws {
        for model in Repository.models {
            let files = try Repository.model(model)
            XCTAssertEqual(Generator(spec: try SpecLoader.load(files)).script(), Generator(spec: try SpecLoader.load(files)).script())
        }
    }

    func testExtensionScriptInSqlFolderIsTheHelperCore() throws {
        let file = try String(contentsOfFile: Repository.path("sql/tenantwall--\(HelperCore.version).sql"), encoding: .utf8)
        XCTAssertEqual(file, HelperCore.extensionScript, "sql/ is stale: run `swift run tenantwall extension-sql > sql/tenantwall--\(HelperCore.version).sql`")
        for step in HelperCore.upgradeScripts {
            let path = "sql/tenantwall--\(step.from)--\(step.to).sql"
            XCTAssertEqual(try String(contentsOfFile: Repository.path(path), encoding: .utf8), step.script,
                           "sql/ is stale: run `swift run tenantwall extension-sql --upgrade-from \(step.from) > \(path)`")
        }
        XCTAssertEqual(HelperCore.upgradeScripts.last?.to, HelperCore.version, "the last upgrade step ends at the current version")
        // Each step carries what changed: 0.1.0's core plus the steps' routines is today's script.
        let old = try String(contentsOfFile: Repository.path("sql/tenantwall--0.1.0.sql"), encoding: .utf8)
        let changed = HelperCore.routines(in: HelperCore.ensurePartitions)
        XCTAssertEqual(changed, ["ensure_partitions"])
        XCTAssertTrue(old.contains("CREATE OR REPLACE FUNCTION @extschema@.ensure_partitions("), "0.1.0 had the routine the 0.2.0 -> 0.3.0 step replaces")
    }

    func testGeneratedPoliciesFollowThePerformanceForm() throws {
        var spec = try SpecLoader.load(Repository.model("workflow-platform"))
        let native = Generator(spec: spec).script()
        XCTAssertTrue(native.contains("USING (\"tenant_id\" = \"tenantwall\".\"current_tenant_id\"())"), "the native reader called directly: an index condition evaluated once per scan")
        let hypertables = Generator(spec: try SpecLoader.load(Repository.model("k8s-cost-monitor"))).script()
        XCTAssertTrue(hypertables.contains("ON \"public\".\"node_metrics\" AS PERMISSIVE FOR SELECT TO \"k8s_app\", \"k8s_reporting\", \"k8s_admin\"\n    USING (\"tenant_id\" = (SELECT"), "hypertables keep the InitPlan")
        spec.tenancy.helpers = .inline
        let sql = Generator(spec: spec).script()
        XCTAssertTrue(sql.contains("USING (\"tenant_id\" = (SELECT \"tenantwall\".\"current_tenant_id\"()))"), "SQL readers wrapped in a sub-select: one evaluation per statement")
        XCTAssertTrue(sql.contains("ENABLE ROW LEVEL SECURITY, FORCE ROW LEVEL SECURITY"))
        XCTAssertFalse(sql.uppercased().contains("TO PUBLIC"), "no policy or grant to PUBLIC")
        XCTAssertFalse(sql.contains("TRUNCATE ON"), "never grants TRUNCATE")
        XCTAssertTrue(sql.contains("LANGUAGE sql STABLE PARALLEL SAFE"))
    }
}
