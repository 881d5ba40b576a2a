import Audit
import Foundation
import XCTest

/// Every rule in the registry has unit tests here: a new rule without any fails the suite, naming it.
final class RuleCoverageTests: XCTestCase {
    static let files: [any RuleTestFile.Type] = [
        RLSRuleTests.self, PolicyRuleTests.self, RoleRuleTests.self, FunctionRuleTests.self, StructureRuleTests.self, TimeSeriesRuleTests.self,
        CitusRuleTests.self, PerformanceRuleTests.self, SpecRuleTests.self, MigrationLockRuleTests.self, MigrationIsolationRuleTests.self,
        SemanticRuleTests.self,
    ]

    func testEveryRegisteredRuleHasUnitTests() {
        let covered = Self.files.reduce(into: Set<String>()) { $0.formUnion($1.covered) }
        for rule in RuleRegistry.all where !covered.contains(rule.id) {
            XCTFail("\(rule.id) \(rule.name) (\(type(of: rule))) has no unit test: add one to a file in Tests/PolicyGenTests/AuditRules and its id to that file's `covered`")
        }
        let known = Set(RuleRegistry.all.map(\.id))
        XCTAssertEqual(covered.subtracting(known), [], "ids claimed as covered that the registry does not have")
    }

    /// A file's `covered` is a claim: the file must at least run each rule it claims (`TypeName()` in its text).
    func testEachFileRunsTheRulesItClaims() throws {
        for file in Self.files {
            let text = try String(contentsOfFile: file.path, encoding: .utf8)
            for id in file.covered.sorted() {
                guard let rule = RuleRegistry.rule(id) else { continue }
                XCTAssertTrue(text.contains("\(type(of: rule))()"), "\((file.path as NSString).lastPathComponent) claims \(id) but never runs \(type(of: rule))")
            }
        }
    }
}
