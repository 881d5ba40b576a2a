import Audit
import Foundation
import XCTest

/// Golden outputs of every audit format for a fixed set of findings (see `Golden` for rewriting them).
final class AuditFormatTests: XCTestCase {
    static let findings: [Finding] = {
        var baselined = Finding(ruleId: "TW104", ruleName: "rls-not-forced", severity: .warning, title: RLSNotForced().title,
                                message: "public.orders: row-level security is enabled but not forced, so its owner app_owner bypasses it",
                                fix: "ALTER TABLE \"public\".\"orders\" FORCE ROW LEVEL SECURITY;", location: .object("table", "public.orders"))
        baselined.baselined = true
        return [
            Finding(ruleId: "TW503", ruleName: "not-null-without-default", severity: .error, title: NotNullWithoutDefault().title,
                    message: "existing.b is added NOT NULL without a default", fix: nil, location: .file("migrations/V0002__unsafe.sql", line: 3)),
            Finding(ruleId: "TW106", ruleName: "policy-always-true", severity: .error, title: PolicyAlwaysTrue().title,
                    message: "policy p on public.orders: USING is always true (tenant_id = x OR true) & <escaped>", fix: nil,
                    location: .object("policy", "public.orders.p")),
            baselined,
        ]
    }()

    func testEveryFormatMatchesItsGoldenFile() throws {
        for (format, ext) in [(AuditFormat.text, "txt"), (.json, "json"), (.sarif, "sarif"), (.junit, "xml"), (.markdown, "md")] {
            Golden.assertMatches(AuditReport.render(Self.findings, format: format, threshold: .warning), file: "Tests/PolicyGenTests/Golden/audit.\(ext)")
        }
    }

    func testFailingIgnoresBaselinedAndBelowThreshold() {
        XCTAssertEqual(Auditor.failing(Self.findings, threshold: .error).map(\.ruleId), ["TW503", "TW106"])
        XCTAssertEqual(Auditor.failing(Self.findings, threshold: .warning).count, 2, "the baselined warning does not fail")
    }

    func testRuleIdsAreUniqueAndDocumented() throws {
        let ids = RuleRegistry.all.map(\.id)
        XCTAssertEqual(Set(ids).count, ids.count)
        XCTAssertEqual(Set(RuleRegistry.all.map(\.name)).count, ids.count)
        let readme = try String(contentsOfFile: Repository.path("docs/audit.md"), encoding: .utf8)
        // The documented rule table is the registry: the same ids, names and severities, in the same order.
        let rows = readme.split(separator: "\n").compactMap { line -> String? in
            let cells = line.split(separator: "|").map { $0.trimmingCharacters(in: .whitespaces) }
            guard cells.count >= 4, cells[0].hasPrefix("`TW"), cells[0].hasSuffix("`") else { return nil }
            return "\(cells[0].dropFirst().dropLast()) \(cells[1]) \(cells[2])"
        }
        XCTAssertEqual(rows, RuleRegistry.all.map { "\($0.id) \($0.name) \($0.severity.rawValue)" })
    }

    func testPolicyExpressionAnalysis() {
        let wrapped = PolicyExpression("tenant_id = ( SELECT tenantwall.current_tenant_id() AS current_tenant_id)")!
        XCTAssertEqual(wrapped.columns, ["tenant_id"])
        XCTAssertEqual(wrapped.calls.map(\.inSubselect), [true])
        XCTAssertFalse(wrapped.constantTrue || wrapped.trueBranch || wrapped.failOpen)
        XCTAssertTrue(PolicyExpression("true")!.constantTrue)
        XCTAssertTrue(PolicyExpression("(tenant_id = 1) OR true")!.trueBranch)
        XCTAssertTrue(PolicyExpression("(current_setting('x', true) IS NULL) OR (tenant_id = 1)")!.failOpen)
        XCTAssertFalse(PolicyExpression("(deleted_at IS NULL) OR (tenant_id = 1)")!.failOpen, "a row column IS NULL is not fail-open")
        XCTAssertTrue(PolicyExpression("tenant_id = (current_setting('x'))::uuid")!.castWithoutEmptyHandling)
        XCTAssertFalse(PolicyExpression("tenant_id = (NULLIF(current_setting('x', true), ''))::uuid")!.castWithoutEmptyHandling)
        XCTAssertEqual(PolicyExpression("tenant_id = 'abc'::text")!.literalComparisons.map(\.literal), ["abc"])
    }
}
