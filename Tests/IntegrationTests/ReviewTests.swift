import Foundation
import Proof
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

        let update = try XCTUnwrap(summary.changes.first { $0.role == "app_user" && $0.object == "public.notes" && $0.command == "UPDATE" })
        XCTAssertEqual(update.kind, .widening, "\(update)")
        XCTAssertEqual(update.base, "no UPDATE")
        let select = try XCTUnwrap(summary.changes.first { $0.role == "app_user" && $0.object == "public.notes" && $0.command == "SELECT" })
        if Self.solverBuilt {
            XCTAssertEqual(select.kind, .widening, "\(select)")
            XCTAssertEqual(select.confirmed, true, "the witness ran on both databases: \(select.reason)")
            XCTAssertTrue(select.witness?.contains("ROLLBACK") == true, select.witness ?? "no witness")
        } else {
            XCTAssertEqual(select.kind, .unknown, "the placeholder solver decides nothing: \(select)")
        }
        XCTAssertEqual(summary.verdict, .widening)
        XCTAssertFalse(summary.changes.contains { $0.object.hasPrefix("tenantwall_migrations.") }, "the runner's history is bookkeeping")
    }

    /// Whether the solver is the engine (it decides `x ⊆ x OR y`) rather than the placeholder that answers
    /// `unknown` to everything: the tests that depend on it say what each answers.
    static var solverBuilt: Bool {
        let side = Side(columns: [], role: "r")
        let setting = Predicate.expression("current_setting('app.x', true) = 'a'")
        if case .holds = PredicateSolver().entails(setting, in: side, .or([setting, .expression("false")]), in: side) { return true }
        return false
    }

    /// The exit codes on a widening: 1 by default (with the report on stdout), 0 with `--fail-on none`; and
    /// Markdown for the pull request, written to `--output`.
    func testExitCodesFollowFailOn() throws {
        let fixture = try ReviewFixture.folders(base: ReviewFixture.schema(), head: ReviewFixture.schema(grants: "SELECT, INSERT, DELETE"))
        defer { try? FileManager.default.removeItem(at: fixture.root) }
        let widened = try ReviewFixture.tenantwall(["review", "--base", "base", "--head", "head", "--format", "markdown"], in: fixture.root)
        XCTAssertEqual(widened.status, 1, widened.stderr)
        XCTAssertTrue(widened.stdout.contains("| widening | <code>app_user</code> | <code>public.notes</code> | DELETE |"), widened.stdout)
        let output = fixture.root.appendingPathComponent("review.md").path
        let accepted = try ReviewFixture.tenantwall(["review", "--base", "base", "--head", "head", "--format", "markdown", "--fail-on", "none", "--output", output], in: fixture.root)
        XCTAssertEqual(accepted.status, 0, accepted.stderr)
        XCTAssertEqual(accepted.stdout, "")
        XCTAssertTrue(try String(contentsOfFile: output, encoding: .utf8).hasPrefix("### tenantwall review: 🔴 **widening**"))
        let same = try ReviewFixture.tenantwall(["review", "--base", "base", "--head", "base", "--format", "json"], in: fixture.root)
        XCTAssertEqual(same.status, 0, same.stderr)
        XCTAssertTrue(same.stdout.contains("\"verdict\" : \"none\""), same.stdout)
    }

    /// A 50-table spec against itself with one table made shared: built, read and compared, timed. The review
    /// must take under 5 s once the initdb template exists (`TW_REVIEW_BUDGET_MS` moves the budget on a slower
    /// machine); the measured times are printed.
    func testFiftyTableReviewIsTimed() throws {
        let root = FileManager.default.temporaryDirectory.appendingPathComponent("tw-review-50-\(UUID().uuidString.prefix(8))")
        defer { try? FileManager.default.removeItem(at: root) }
        for (side, shared) in [("base", Set<Int>()), ("head", Set([7]))] {
            try FileManager.default.createDirectory(at: root.appendingPathComponent(side), withIntermediateDirectories: true)
            try ReviewFixture.spec(tables: 50, shared: shared).write(to: root.appendingPathComponent("\(side)/spec.yaml"), atomically: true, encoding: .utf8)
        }
        let review = ReviewRun(base: .directory(root.appendingPathComponent("base").path), head: .directory(root.appendingPathComponent("head").path),
                               host: .embedded(binDirectory: nil))
        _ = try review.run()  // makes the initdb template if this process is the first to need it
        let summary = try review.run()
        print("50-table review: \(summary.totalMilliseconds) ms; " + [summary.base, summary.head].map {
            "\($0.name): server \($0.serverStartMilliseconds ?? -1) ms, build \($0.buildMilliseconds) ms, read \($0.readMilliseconds) ms"
        }.joined(separator: "; "))
        // tenants and the 50 tables, and the helpers' own admin_mode_log and tenant_events
        XCTAssertEqual(summary.base.relations, 53)
        XCTAssertEqual(summary.head.relations, 53)
        XCTAssertEqual(Set(summary.changes.map(\.object)), ["public.table_7"], "only the table made shared changed")
        XCTAssertEqual(summary.changes.filter { $0.role == "app_user" && $0.kind == .narrowing }.map(\.command).sorted(), ["DELETE", "INSERT", "UPDATE"])
        let select = try XCTUnwrap(summary.changes.first { $0.role == "app_user" && $0.command == "SELECT" })
        // widening once the solver reads tenantwall's own reader (context_uuid(setting text) inlined with its named
        // parameter); until then unknown, which fails a review just the same. Never narrower than that.
        XCTAssertTrue([.widening, .unknown].contains(select.kind), "\(select)")
        let budget = Int(ProcessInfo.processInfo.environment["TW_REVIEW_BUDGET_MS"] ?? "") ?? 5_000
        XCTAssertLessThan(summary.totalMilliseconds, budget)
    }

    /// Two commits of a throwaway git repository (an example spec, then a table made shared), reviewed by ref
    /// with the CLI and no server given: each ref's files come from `git archive`, the work tree is untouched.
    /// The example binds its tenant by role: every clinic's appointments now readable is a widening confirmed by
    /// acting as a tenant role the run makes (a member of the role, mapped to a clinic, rolled back).
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

        // The built binary, no server given (each side on an embedded one), `--fail-on widening` by default.
        let run = try ReviewFixture.tenantwall(["review", "--base", "HEAD~1", "--head", "HEAD", "--format", "json"], in: repo)
        XCTAssertEqual(run.status, 1, "a confirmed widening fails the review: \(run.stderr)")
        let json = try XCTUnwrap(JSONSerialization.jsonObject(with: Data(run.stdout.utf8)) as? [String: Any], run.stdout)
        XCTAssertEqual(json["verdict"] as? String, "widening")
        let changes = try XCTUnwrap(json["changes"] as? [[String: Any]])
        // The role binding: the tenant is the session's role, so the witness acts as a tenant role of its own.
        for role in ["portal_app", "portal_ops"] {
            let read = try XCTUnwrap(changes.first { $0["role"] as? String == role && $0["object"] as? String == "public.appointments"
                && $0["command"] as? String == "SELECT" }, "\(role) reads every clinic's appointments: \(run.stdout)")
            XCTAssertEqual(read["class"] as? String, "widening", "\(read)")
            XCTAssertEqual(read["confirmed"] as? Bool, true, "\(read)")
        }
        let bound = try XCTUnwrap(changes.first { $0["role"] as? String == "portal_app" && $0["command"] as? String == "SELECT" }?["witness"] as? String)
        XCTAssertTrue(bound.contains(#"GRANT "portal_app" TO "tenantwall_witness_tenant";"#), bound)
        XCTAssertTrue(bound.contains(#"INSERT INTO "portal"."tenant_roles" ("role_name", "tenant") VALUES ('tenantwall_witness_tenant', "#), bound)
        XCTAssertTrue(bound.contains(#"SET LOCAL ROLE "tenantwall_witness_tenant";"#), bound)
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

        // A spec that does not load at a ref, reviewed from a subdirectory: its path as in the repository there.
        let db = repo.appendingPathComponent("db")
        try FileManager.default.createDirectory(at: db, withIntermediateDirectories: true)
        let spec = try String(contentsOfFile: TestServer.path("policies/clinic-portal/clinic-portal.yaml"), encoding: .utf8)
        try spec.write(to: db.appendingPathComponent("clinic.yaml"), atomically: true, encoding: .utf8)
        try ReviewFixture.commitAll("spec", in: repo)
        try spec.replacingOccurrences(of: "isolation: tenant", with: "isolation: tenantx").write(to: db.appendingPathComponent("clinic.yaml"), atomically: true, encoding: .utf8)
        try ReviewFixture.commitAll("broken spec", in: repo)
        let badSpec = try ReviewFixture.tenantwall(["review", "--base", "HEAD~1", "--head", "HEAD", "--spec", "clinic.yaml"], in: db)
        XCTAssertEqual(badSpec.status, 2, badSpec.stderr)
        XCTAssertTrue(badSpec.stderr.contains("failed while reading its spec: clinic.yaml:"), badSpec.stderr)
        XCTAssertTrue(badSpec.stderr.contains("isolation must be one of"), badSpec.stderr)
        XCTAssertFalse(badSpec.stderr.contains("tenantwall-review-"), "no temporary path: \(badSpec.stderr)")

        let usage = try ReviewFixture.tenantwall(["review", "--head", "HEAD"], in: repo)
        XCTAssertEqual(usage.status, 2, usage.stderr)
        XCTAssertTrue(usage.stderr.contains("give the base side"), usage.stderr)
    }
}
