import Foundation
import Review
import XCTest

/// `tenantwall review` end to end: sides from folders and from a throwaway git repository's refs, each built on
/// a throwaway server of its own (no server set up), the reports, the exit codes.
final class ReviewTests: XCTestCase {
    /// Two folders of hand-written migrations: each side is built and read; app_user's grants and RLS are
    /// counted per side (UPDATE granted on the head).
    func testFoldersAreBuiltAndReadOnServersOfTheirOwn() throws {
        let fixture = try ReviewFixture.folders(base: ReviewFixture.schema(),
                                                head: ReviewFixture.schema(policy: "tenant_id = current_tenant_id() OR is_public", grants: "SELECT, INSERT, UPDATE"))
        defer { try? FileManager.default.removeItem(at: fixture.root) }
        let summary = try ReviewRun(base: .directory(fixture.base), head: .directory(fixture.head), host: .embedded(binDirectory: nil)).run()
        for side in [summary.base, summary.head] {
            XCTAssertEqual(side.relations, 2, side.label)       // tenants, notes (not the migration history)
            XCTAssertEqual(side.policies, 1, side.label)
            XCTAssertEqual(side.roles, 2, side.label)           // app_user (inferred like audit) and PUBLIC
            XCTAssertEqual(side.entries.values.reduce(0, +), 2 * 2 * 6, side.label)
            XCTAssertNotNil(side.serverStartMilliseconds, side.label)
        }
        XCTAssertEqual(summary.base.entries["filtered"], 2)     // SELECT, INSERT on notes
        XCTAssertEqual(summary.head.entries["filtered"], 3)     // and UPDATE
        XCTAssertEqual(summary.base.entries["unfiltered"], 1)   // SELECT on tenants: no RLS there
    }

    /// Two commits of a throwaway git repository (an example spec, then a table made shared), reviewed by ref
    /// with the CLI and no server given: each ref's files come from `git archive`, the work tree is untouched.
    func testGitRefsOfAThrowawayRepository() throws {
        let repo = try ReviewFixture.gitRepository()
        defer { try? FileManager.default.removeItem(at: repo) }
        let source = try String(contentsOfFile: TestServer.path("policies/clinic-portal/clinic-portal.yaml"), encoding: .utf8)
        try source.write(to: repo.appendingPathComponent("clinic-portal.yaml"), atomically: true, encoding: .utf8)
        let first = try ReviewFixture.commitAll("clinic portal", in: repo)
        let changed = source.replacingOccurrences(of: "- name: appointments\n    isolation: tenant", with: "- name: appointments\n    isolation: shared")
        XCTAssertNotEqual(changed, source)
        try changed.write(to: repo.appendingPathComponent("clinic-portal.yaml"), atomically: true, encoding: .utf8)
        try ReviewFixture.commitAll("appointments shared", in: repo)
        try "not a spec".write(to: repo.appendingPathComponent("clinic-portal.yaml"), atomically: true, encoding: .utf8)  // a dirty tree is not read

        let run = try ReviewFixture.tenantwall(["review", "--base", "HEAD~1", "--head", "HEAD", "--format", "json", "--fail-on", "none"], in: repo)
        XCTAssertEqual(run.status, 0, run.stderr)
        let json = try XCTUnwrap(JSONSerialization.jsonObject(with: Data(run.stdout.utf8)) as? [String: Any], run.stdout)
        XCTAssertNotNil(json["verdict"] as? String)
        XCTAssertNotNil(json["changes"] as? [[String: Any]])
        let sides = try XCTUnwrap(json["sides"] as? [[String: Any]])
        XCTAssertEqual(sides.map { $0["label"] as? String }, ["base (git ref HEAD~1 at \(first.prefix(12)))", sides[1]["label"] as? String])
        let policies = sides.map { $0["policies"] as? Int ?? -1 }
        XCTAssertGreaterThan(policies[0], 0)
        XCTAssertNotEqual(policies[0], policies[1], "the head's shared table has other policies than the base's")
        XCTAssertEqual(try String(contentsOf: repo.appendingPathComponent("clinic-portal.yaml"), encoding: .utf8), "not a spec")
    }

    /// Could not run: exit 2 with a message that says what (a ref that does not exist; a migration that does
    /// not parse, with its file, line, column and SQLSTATE), never a stack trace.
    func testSidesThatCannotBeBuiltExitTwo() throws {
        let broken = ReviewFixture.schema().replacingOccurrences(of: "GRANT SELECT ON tenants", with: "GRANT SELEC ON tenants")
        let fixture = try ReviewFixture.folders(base: ReviewFixture.schema(), head: broken)
        defer { try? FileManager.default.removeItem(at: fixture.root) }
        let failed = try ReviewFixture.tenantwall(["review", "--base", fixture.base, "--head", fixture.head], in: fixture.root)
        XCTAssertEqual(failed.status, 2, failed.stderr)
        XCTAssertTrue(failed.stderr.contains("the head side (folder \(fixture.head)) failed while running its migrations"), failed.stderr)
        let line = try XCTUnwrap(broken.split(separator: "\n", omittingEmptySubsequences: false).firstIndex { $0.hasPrefix("GRANT SELEC ") }) + 1
        XCTAssertTrue(failed.stderr.contains("V1__schema.sql:\(line):1: unrecognized privilege type"), failed.stderr)
        XCTAssertTrue(failed.stderr.contains("SQLSTATE 42601"), failed.stderr)
        XCTAssertFalse(failed.stderr.contains("Fatal error") || failed.stderr.contains("Stack dump"), failed.stderr)
        XCTAssertEqual(failed.stdout, "")

        let repo = try ReviewFixture.gitRepository()
        defer { try? FileManager.default.removeItem(at: repo) }
        try FileManager.default.createDirectory(at: repo.appendingPathComponent("migrations"), withIntermediateDirectories: true)
        try ReviewFixture.schema().write(to: repo.appendingPathComponent("migrations/V1__schema.sql"), atomically: true, encoding: .utf8)
        try ReviewFixture.commitAll("schema", in: repo)
        let badRef = try ReviewFixture.tenantwall(["review", "--base", "no-such-branch", "--head", "HEAD"], in: repo)
        XCTAssertEqual(badRef.status, 2, badRef.stderr)
        XCTAssertTrue(badRef.stderr.contains("'no-such-branch' is neither a folder nor a commit"), badRef.stderr)

        let usage = try ReviewFixture.tenantwall(["review", "--head", "HEAD"], in: repo)
        XCTAssertEqual(usage.status, 2, usage.stderr)
        XCTAssertTrue(usage.stderr.contains("give the base side"), usage.stderr)
    }
}
