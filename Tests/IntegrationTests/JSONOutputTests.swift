import Deploy
import Foundation
import Postgres
import Tenantwall
import XCTest

/// Every command's `--format json` is one JSON document that parses, whatever its strings hold: each goes
/// through the one writer (Sources/Reporting), never through string interpolation.
final class JSONOutputTests: XCTestCase {
    /// A tenants table keyed by a text id, so that an id can hold anything.
    static let textTenantSpec = """
        tenancy:
          column: tenant_id
          type: text
          setting: app.current_tenant
          helpers: inline
        roles:
          owner: jt_owner
          app: jt_app
          admin: jt_admin
        tables:
          - name: tenants
            isolation: self
            key: id
            columns:
              id: text
              name: text
            primary_key: [id]
        """

    /// The parsed stdout of a run that must succeed.
    func parsed(_ run: TenantwallProcess.Run, _ what: String, file: StaticString = #filePath, line: UInt = #line) throws -> Any {
        XCTAssertEqual(run.status, 0, "\(what): \(run.stderr)", file: file, line: line)
        do {
            return try JSONSerialization.jsonObject(with: Data(run.stdout.utf8))
        } catch {
            XCTFail("\(what) printed JSON that does not parse (\(error)):\n\(run.stdout)", file: file, line: line)
            throw error
        }
    }

    func temporaryDirectory(_ prefix: String) throws -> String {
        let dir = FileManager.default.temporaryDirectory.appendingPathComponent("\(prefix)-\(UUID().uuidString)").path
        try FileManager.default.createDirectory(atPath: dir, withIntermediateDirectories: true)
        addTeardownBlock { try? FileManager.default.removeItem(atPath: dir) }
        return dir
    }

    /// `tenant add --format json` once printed `{"tenant":"<id>"}` by interpolation: a quote in a text id made it
    /// invalid. Every awkward id now comes back exactly as given, and `tenant list` agrees.
    func testTenantAddPrintsAnyIdAsValidJSON() throws {
        let (name, db) = try TestServer.freshDatabase("jsonids")
        let dir = try temporaryDirectory("tw-json-spec")
        try Self.textTenantSpec.write(toFile: dir + "/spec.yaml", atomically: true, encoding: .utf8)
        try LiveDatabase(connection: db).apply(try SpecFiles.load([dir]))
        let common = ["--spec", dir, "--database", try TestServer.shared.connectionString(database: name), "--format", "json"]
        let ids = [#"say "hi""#, #"back\slash"#, "two\nlines", "tab\tand\u{1}control", "ünïcødé 租户 🧱", "</script>/"]
        for id in ids {
            let add = try parsed(try TenantwallProcess.run(["tenant", "add", "--id", id] + common), "tenant add \(id.debugDescription)")
            let object = try XCTUnwrap(add as? [String: String], "\(add)")
            XCTAssertEqual(object, ["action": "add", "tenant": id])
        }
        let list = try XCTUnwrap(try parsed(try TenantwallProcess.run(["tenant", "list"] + common), "tenant list") as? [[String: Any]])
        XCTAssertEqual(Set(list.compactMap { $0["id"] as? String }), Set(ids))
        XCTAssertTrue(list.allSatisfy { $0["name"] is NSNull }, "a NULL column is null: \(list)")
        let removed = try XCTUnwrap(try parsed(try TenantwallProcess.run(["tenant", "remove", "--id", ids[0]] + common), "tenant remove") as? [String: Any])
        XCTAssertEqual(removed["tenant"] as? String, ids[0])
    }

    /// The commands whose `--format json` needs no server.
    func testEveryJSONFormatWithoutAServerParses() throws {
        let spec = TestServer.path("policies/workflow-platform")
        let version = try XCTUnwrap(try parsed(try TenantwallProcess.run(["version", "--format", "json"]), "version") as? [String: String])
        XCTAssertEqual(Set(version.keys), ["version", "commit", "grammar"])
        let checks = try XCTUnwrap(try parsed(try TenantwallProcess.run(["verify", "--list-checks", "--format", "json"]), "verify --list-checks") as? [[String: String]])
        XCTAssertTrue(checks.contains { $0["id"] == "select-own-rows" && $0["passes_when"] != nil }, "\(checks)")
        let rules = try XCTUnwrap(try parsed(try TenantwallProcess.run(["audit", "--list-rules", "--format", "json"]), "audit --list-rules") as? [[String: String]])
        XCTAssertEqual(rules.first?["id"], "TW101")
        XCTAssertEqual(try TenantwallProcess.run(["audit", "--list-rules", "--format", "sarif"]).status, 2, "the rule list is text or json")
        for format in ["json", "sarif"] {
            // The spec's findings fail the run (exit 1); the document is whole either way.
            let run = try TenantwallProcess.run(["audit", "--spec", spec, "--format", format, "--fail-on", "error"])
            XCTAssertTrue([0, 1].contains(run.status), run.stderr)
            XCTAssertNoThrow(try JSONSerialization.jsonObject(with: Data(run.stdout.utf8)), "audit --format \(format):\n\(run.stdout)")
        }
    }

    /// The migration commands and init, on a server.
    func testMigrationCommandsAndInitPrintJSON() throws {
        let (name, _) = try TestServer.freshDatabase("jsonmig")
        let env = ["DATABASE_URL": try TestServer.shared.connectionString(database: name)]
        let folder = try temporaryDirectory("tw-json-mig")
        try "CREATE TABLE \"quoted \"\"name\"\"\" (tenant_id bigint NOT NULL, id bigint, PRIMARY KEY (tenant_id, id));\n"
            .write(toFile: folder + "/V1__a.sql", atomically: true, encoding: .utf8)
        func run(_ arguments: [String]) throws -> TenantwallProcess.Run {
            try TenantwallProcess.run(arguments + ["--migrations", folder, "--format", "json"], environment: env)
        }
        let dry = try XCTUnwrap(try parsed(try run(["migrate", "--dry-run"]), "migrate --dry-run") as? [String: Any])
        XCTAssertEqual(dry["wouldApply"] as? [String], ["V1__a.sql"])
        let migrate = try XCTUnwrap(try parsed(try run(["migrate"]), "migrate") as? [String: Any])
        XCTAssertEqual((migrate["applied"] as? [Any])?.count, 1, "\(migrate)")
        let status = try XCTUnwrap(try parsed(try run(["status"]), "status") as? [String: Any])
        XCTAssertEqual(status["upToDate"] as? Bool, true)
        let repair = try XCTUnwrap(try parsed(try run(["repair"]), "repair") as? [String: Any])
        XCTAssertEqual(repair["actions"] as? [String], [])

        let (fresh, _) = try TestServer.freshDatabase("jsonbase")
        let baseline = try TenantwallProcess.run(["baseline", "1", "--migrations", folder, "--format", "json", "--database", TestServer.shared.connectionString(database: fresh)])
        XCTAssertEqual(try XCTUnwrap(try parsed(baseline, "baseline") as? [String: String]), ["baselined": "1"])

        let out = try temporaryDirectory("tw-json-init")
        let initRun = try TenantwallProcess.run(["init", "--out", out, "--force", "--format", "json"], environment: env)
        let summary = try XCTUnwrap(try parsed(initRun, "init") as? [String: Any])
        XCTAssertNotNil(summary["legacy_functions"], "init keeps its snake_case keys: \(summary.keys.sorted())")
    }
}
