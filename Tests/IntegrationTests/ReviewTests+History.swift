import Foundation
import XCTest

/// `tenantwall review` between two git refs of this repository itself, on the embedded server, with no server
/// set up: commit 36b3069 stopped the workflow platform's tenants from editing their own quotas (UPDATE on
/// `tenants` taken from `wf_app`), a narrowing of one role, one table and one command, and nothing else.
final class ReviewHistoryTests: XCTestCase {
    static let quotas = "36b3069"

    func testACommitOfThisRepositoryIsReviewedAgainstItsParent() throws {
        let top = URL(fileURLWithPath: TestServer.path(""))
        let known = try ReviewFixture.command("/usr/bin/env", ["git", "cat-file", "-e", Self.quotas + "^{commit}"], in: top)
        XCTAssertEqual(known.status, 0, "the test reads this repository's history: run it in a full clone (commit \(Self.quotas) is missing)")
        guard known.status == 0 else { return }
        let run = try ReviewFixture.tenantwall(["review", "--base", Self.quotas + "~1", "--head", Self.quotas, "--spec", "policies/workflow-platform",
                                                "--format", "json", "--pg-bindir", try TestServer.binDirectory()], in: top)
        XCTAssertEqual(run.status, 0, "a narrowing is below --fail-on widening: " + run.stderr)
        let report = try XCTUnwrap(try JSONSerialization.jsonObject(with: Data(run.stdout.utf8)) as? [String: Any], run.stdout)
        XCTAssertEqual(report["verdict"] as? String, "narrowing")
        let changes = try XCTUnwrap(report["changes"] as? [[String: Any]])
        XCTAssertEqual(changes.map { "\($0["class"] ?? "") \($0["role"] ?? "") \($0["object"] ?? "") \($0["command"] ?? "")" },
                       ["narrowing wf_app public.tenants UPDATE"])
        XCTAssertTrue(changes.allSatisfy { $0["witness"] is NSNull }, "a narrowing needs no witness")
    }
}
