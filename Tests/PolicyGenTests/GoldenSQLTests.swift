import Foundation
import PolicyGen
import XCTest

/// The generated SQL for every example spec is kept in `Golden/` and reviewed like documentation.
/// Run with `TENANTWALL_UPDATE_GOLDEN=1` to rewrite the files after an intended change.
final class GoldenSQLTests: XCTestCase {
    func testEveryExampleMatchesItsGoldenFile() throws {
        for model in Repository.models {
            let sql = Generator(spec: try SpecLoader.load(Repository.model(model))).script()
            let golden = Repository.path("Tests/PolicyGenTests/Golden/\(model).sql")
            if ProcessInfo.processInfo.environment["TENANTWALL_UPDATE_GOLDEN"] == "1" {
                try sql.write(toFile: golden, atomically: true, encoding: .utf8)
            }
            let expected = try String(contentsOfFile: golden, encoding: .utf8)
            if sql != expected {
                let a = sql.split(separator: "\n", omittingEmptySubsequences: false), b = expected.split(separator: "\n", omittingEmptySubsequences: false)
                let line = zip(a, b).enumerated().first { $0.element.0 != $0.element.1 }?.offset ?? min(a.count, b.count)
                XCTFail("\(model): generated SQL differs from Golden/\(model).sql at line \(line + 1):\n  generated: \(line < a.count ? String(a[line]) : "<end>")\n  golden:    \(line < b.count ? String(b[line]) : "<end>")")
            }
        }
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
    }

    func testGeneratedPoliciesFollowThePerformanceForm() throws {
        let sql = Generator(spec: try SpecLoader.load(Repository.model("workflow-platform"))).script()
        XCTAssertTrue(sql.contains("USING (\"tenant_id\" = (SELECT \"tenantwall\".\"current_tenant_id\"()))"), "context wrapped in a sub-select: one evaluation per statement")
        XCTAssertTrue(sql.contains("ENABLE ROW LEVEL SECURITY, FORCE ROW LEVEL SECURITY"))
        XCTAssertFalse(sql.uppercased().contains("TO PUBLIC"), "no policy or grant to PUBLIC")
        XCTAssertFalse(sql.contains("TRUNCATE ON"), "never grants TRUNCATE")
        XCTAssertTrue(sql.contains("LANGUAGE sql STABLE PARALLEL SAFE"))
    }
}
