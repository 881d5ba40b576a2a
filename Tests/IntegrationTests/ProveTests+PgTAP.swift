import Foundation
import Postgres
import XCTest

/// `prove --emit-pgtap`: on a broken variant the script fails under pg_prove, on the broken table's
/// counterexamples; once the table is fixed the same tests pass; nothing is left behind either way.
extension ProveTests {
    func testEmittedPgTAPFailsOnTheBrokenVariant() throws {
        guard FileManager.default.fileExists(atPath: "/usr/bin/pg_prove") else {
            return XCTFail("pg_prove is missing: scripts/setup.sh installs Debian's postgresql-15-pgtap and pg_prove")
        }
        let (name, url, db) = try brokenWorkflowPlatform("ALTER TABLE public.workflows DISABLE ROW LEVEL SECURITY; GRANT SELECT ON public.workflows TO PUBLIC")
        guard try db.query("SELECT count(*) FROM pg_available_extensions WHERE name = 'pgtap'").scalar == "1" else {
            let major = try TestServer.majorVersion
            throw XCTSkip("pgTAP is not installed for PostgreSQL \(major): Debian packages it for 15 only")
        }
        let script = FileManager.default.temporaryDirectory.appendingPathComponent("tw-prove-\(UUID().uuidString).sql").path
        defer { try? FileManager.default.removeItem(atPath: script) }
        let emitted = try TenantwallProcess.run(["prove", "--spec", "policies/workflow-platform", "--database", url, "--emit-pgtap", script])
        XCTAssertEqual(emitted.status, 1, emitted.stderr)
        let before = try fingerprint(db)

        let broken = try PgProve.run(script, database: name)
        XCTAssertNotEqual(broken.status, 0, broken.output)
        let lines = broken.output.split(separator: "\n").map(String.init).filter { $0.hasPrefix("ok") || $0.hasPrefix("not ok") }
        let witnessTests = lines.filter { $0.contains("public.workflows SELECT as") && $0.contains("the counterexample is refused") }
        XCTAssertFalse(witnessTests.isEmpty, broken.output)
        XCTAssertTrue(witnessTests.allSatisfy { $0.hasPrefix("not ok") }, witnessTests.joined(separator: "\n"))
        XCTAssertEqual(try fingerprint(db), before, "the script leaves nothing")

        try db.execute("ALTER TABLE public.workflows ENABLE ROW LEVEL SECURITY; REVOKE SELECT ON public.workflows FROM PUBLIC")
        let fixed = try PgProve.run(script, database: name)
        let after = fixed.output.split(separator: "\n").map(String.init).filter { $0.hasPrefix("ok") || $0.hasPrefix("not ok") }
            .filter { $0.contains("public.workflows SELECT as") && $0.contains("the counterexample is refused") }
        XCTAssertEqual(after.count, witnessTests.count, fixed.output)
        XCTAssertTrue(after.allSatisfy { $0.hasPrefix("ok") }, "fixed, PostgreSQL refuses every counterexample:\n" + fixed.output)
        XCTAssertEqual(try fingerprint(db), before)
        if (try? ProveSolverTests.requireSolver()) != nil {
            XCTAssertEqual(fixed.status, 0, "fixed, every test of the script passes:\n" + fixed.output)
            XCTAssertTrue(fixed.output.contains("All tests successful"), fixed.output)
        }
    }
}
