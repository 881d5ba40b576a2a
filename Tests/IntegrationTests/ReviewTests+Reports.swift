import Foundation
import Review
import XCTest

/// The review's reports on hand-made changes (no server): the JSON schema with its nulls, the Markdown table
/// and its escaping, SARIF's levels, the verdict and `--fail-on`.
final class ReviewReportTests: XCTestCase {
    static let side = ReviewSummary.Side(name: "base", label: "base (folder a)", relations: 2, policies: 1, roles: 2,
                                         entries: ["denied": 20, "filtered": 4], serverStartMilliseconds: 700, buildMilliseconds: 40, readMilliseconds: 30)
    static let widening = ReviewChange(kind: .widening, role: "app_user", object: "public.notes", command: "SELECT", clause: "USING",
                                       base: "(tenant_id = current_tenant_id())", head: "((tenant_id = current_tenant_id()) OR is_public)",
                                       witness: "BEGIN;\nSET LOCAL ROLE app_user;\nSELECT count(*) FROM public.notes;\nROLLBACK;", reason: "is_public", confirmed: true)
    static let narrowing = ReviewChange(kind: .narrowing, role: "app|<b>", object: "public.notes", command: "UPDATE", base: "UPDATE: a < b", head: "no UPDATE")

    func summary(_ changes: [ReviewChange]) -> ReviewSummary {
        var head = Self.side
        head.name = "head"
        head.label = "head (folder b)"
        return ReviewSummary(base: Self.side, head: head, changes: changes, totalMilliseconds: 1234)
    }

    func testJSONHasTheIssuesSchemaWithNullsForWhatIsAbsent() throws {
        let text = try JSONReviewReport.render(summary([Self.narrowing, Self.widening]))
        let json = try XCTUnwrap(JSONSerialization.jsonObject(with: Data(text.utf8)) as? [String: Any])
        XCTAssertEqual(json["verdict"] as? String, "widening")
        let changes = try XCTUnwrap(json["changes"] as? [[String: Any]])
        XCTAssertEqual(changes.map { $0["class"] as? String }, ["widening", "narrowing"], "strongest first")
        for change in changes {
            for key in ["class", "role", "object", "command", "base", "head", "witness", "column", "reason", "confirmed"] {
                XCTAssertTrue(change.keys.contains(key), "\(key) missing from \(change)")
            }
        }
        XCTAssertTrue(changes[1]["witness"] is NSNull)
        XCTAssertTrue(changes[1]["confirmed"] is NSNull)
        XCTAssertEqual(changes[0]["witness"] as? String, Self.widening.witness)
        XCTAssertEqual(changes[0]["confirmed"] as? Bool, true)
        XCTAssertEqual(try JSONReviewReport.render(summary([])).contains("\"verdict\" : \"none\""), true)
    }

    func testMarkdownIsATableWithWitnessesBelowItAndEscapesNames() {
        let equivalent = ReviewChange(kind: .equivalent, role: "app_user", object: "public.notes", command: "DELETE", base: "a = b", head: "b = a")
        let text = MarkdownReviewReport.render(summary([Self.widening, Self.narrowing, equivalent]))
        XCTAssertTrue(text.hasPrefix("### tenantwall review: 🔴 **widening**\n"), text)
        XCTAssertTrue(text.contains("1 widening, 1 narrowing, 1 equivalent: base (folder a) → head (folder b)"), text)
        XCTAssertTrue(text.contains("| widening | <code>app_user</code> | <code>public.notes</code> | SELECT USING | <code>(tenant_id = current_tenant_id())</code> | "
                                    + "<code>((tenant_id = current_tenant_id()) OR is_public)</code> | is_public | W1 ✔ confirmed |"), text)
        XCTAssertTrue(text.contains("<code>app&#124;&lt;b&gt;</code>"), "a pipe and a tag in a role name are escaped: \(text)")
        XCTAssertTrue(text.contains("<code>UPDATE: a &lt; b</code>"), text)
        XCTAssertTrue(text.contains("<details><summary>1 equivalent rewrite(s): different text, the same access</summary>\n\n| Role | Object | Command | Base | Head |\n|---|---|---|---|---|\n"
                                    + "| <code>app_user</code> | <code>public.notes</code> | DELETE | <code>a = b</code> | <code>b = a</code> |"), text)
        XCTAssertFalse(text.contains("| equivalent |"), "equivalents are folded away, not in the main table")
        XCTAssertTrue(text.contains("<details><summary>W1: app_user SELECT on public.notes</summary>\n\n```sql\nBEGIN;\nSET LOCAL ROLE app_user;"), text)
        XCTAssertEqual(text.components(separatedBy: "<summary>W").count, 2, "one witness, one block")
        XCTAssertTrue(MarkdownReviewReport.render(summary([])).contains("**none**"))
    }

    func testSARIFLevelsFollowTheClass() throws {
        let text = try SARIFReviewReport.render(summary([Self.widening, Self.narrowing]), toolVersion: "9.9.9")
        let json = try XCTUnwrap(JSONSerialization.jsonObject(with: Data(text.utf8)) as? [String: Any])
        XCTAssertEqual(json["version"] as? String, "2.1.0")
        let run = try XCTUnwrap((json["runs"] as? [[String: Any]])?.first)
        let results = try XCTUnwrap(run["results"] as? [[String: Any]])
        XCTAssertEqual(results.map { $0["level"] as? String }, ["error", "note"])
        XCTAssertEqual(results.map { $0["ruleId"] as? String }, ["TWR001", "TWR003"])
        let rules = try XCTUnwrap(((run["tool"] as? [String: Any])?["driver"] as? [String: Any])?["rules"] as? [[String: Any]])
        XCTAssertEqual(rules.map { $0["name"] as? String }, ["widening", "unknown", "narrowing", "removed", "added", "equivalent"])
    }

    func testVerdictAndFailOn() {
        let unknown = ReviewChange(kind: .unknown, role: "r", object: "s.t", command: "SELECT", base: "a", head: "b")
        let added = ReviewChange(kind: .added, role: "r", object: "s.u", command: "SELECT", base: "absent", head: "b")
        let removed = ReviewChange(kind: .removed, role: "r", object: "s.v", command: "SELECT", base: "a", head: "absent")
        XCTAssertEqual(ReviewVerdict.of([]), .none)
        XCTAssertEqual(ReviewVerdict.of([added]), .equivalent)
        XCTAssertEqual(ReviewVerdict.of([added, removed]), .narrowing)
        XCTAssertEqual(ReviewVerdict.of([removed, unknown]), .unknown)
        XCTAssertEqual(ReviewVerdict.of([unknown, Self.widening]), .widening)
        XCTAssertTrue(ReviewThreshold.widening.fails([unknown]), "unknown counts as widening")
        XCTAssertFalse(ReviewThreshold.widening.fails([removed, added]))
        XCTAssertTrue(ReviewThreshold.narrowing.fails([removed]))
        XCTAssertFalse(ReviewThreshold.narrowing.fails([added]))
        XCTAssertTrue(ReviewThreshold.any.fails([added]))
        XCTAssertFalse(ReviewThreshold.any.fails([]))
        XCTAssertFalse(ReviewThreshold.none.fails([Self.widening]))
    }
}
