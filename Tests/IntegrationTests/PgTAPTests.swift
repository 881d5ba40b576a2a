import Foundation
import PolicyGen
import Postgres
import Tenantwall
import XCTest

/// `verify --emit-pgtap`: the script passes under `pg_prove` where verify passes, and fails where verify fails,
/// on the same database broken on purpose; it leaves nothing behind.
final class PgTAPTests: XCTestCase {
    func testScriptPassesAndFailsAsVerifyDoes() throws {
        guard FileManager.default.fileExists(atPath: "/usr/bin/pg_prove") else {
            return XCTFail("pg_prove is missing: scripts/setup.sh installs Debian's postgresql-15-pgtap and pg_prove")
        }
        let (name, db) = try TestServer.freshDatabase("pgtap")
        guard try db.query("SELECT count(*) FROM pg_available_extensions WHERE name = 'pgtap'").scalar == "1" else {
            let major = try TestServer.majorVersion
            throw XCTSkip("pgTAP is not installed for PostgreSQL \(major): Debian packages it for 15 only; for 18 build it from source (theory/pgtap: make install PG_CONFIG=<the wheel's pg_config>)")
        }
        let url = try TestServer.shared.connectionString(database: name)
        XCTAssertEqual(try TenantwallProcess.run(["apply", "--spec", "policies/workflow-platform", "--database", url]).status, 0)
        try db.execute("INSERT INTO public.workflows (tenant_id, name, definition) VALUES (1, 'kept', '{}')")
        let script = FileManager.default.temporaryDirectory.appendingPathComponent("tw-\(UUID().uuidString).sql").path
        defer { try? FileManager.default.removeItem(atPath: script) }
        let emitted = try TenantwallProcess.run(["verify", "--spec", "policies/workflow-platform", "--database", url, "--emit-pgtap", script])
        XCTAssertEqual(emitted.status, 0, emitted.stderr)
        let text = try String(contentsOfFile: script, encoding: .utf8)
        let planned = Int(text.matches(of: #"SELECT plan\((\d+)\)"#).first ?? "") ?? 0
        XCTAssertGreaterThan(planned, 200)

        let clean = try PgProve.run(script, database: name)
        XCTAssertEqual(clean.status, 0, clean.output)
        XCTAssertTrue(clean.output.contains("All tests successful"), clean.output)
        XCTAssertEqual(try db.query("SELECT string_agg(name, ',') FROM public.workflows").scalar, "kept", "the script leaves no probe row")

        // Broken on purpose: the SELECT policy lets every row through, as in VerifyTests.testPolicyUsingTrue.
        try db.execute("ALTER POLICY tw_tenant_select ON public.workflows USING (true)")
        let broken = try PgProve.run(script, database: name)
        XCTAssertNotEqual(broken.status, 0)
        let failed = broken.output.split(separator: "\n").filter { $0.hasPrefix("not ok") }
        XCTAssertFalse(failed.isEmpty, broken.output)
        XCTAssertTrue(failed.allSatisfy { $0.contains("public.workflows") }, "only the broken table fails:\n\(failed.joined(separator: "\n"))")
        XCTAssertTrue(failed.contains { $0.contains("select-own-rows") }, failed.joined(separator: "\n"))
    }
}

private extension String {
    func matches(of pattern: String) -> [String] {
        guard let regex = try? NSRegularExpression(pattern: pattern) else { return [] }
        return regex.matches(in: self, range: NSRange(startIndex..., in: self)).compactMap { Range($0.range(at: 1), in: self).map { String(self[$0]) } }
    }
}
