import Audit
import Foundation
import Migrations
import XCTest

/// A file of rule unit tests: the rule ids its tests make fire and keep quiet, and where it is, so that
/// `RuleCoverageTests` can tell a rule nobody tests from one that is, and check the file names each rule it claims.
protocol RuleTestFile {
    static var covered: Set<String> { get }
    static var path: String { get }
}

/// How the rule tests run a rule and read what it found: each test reads as "this input, these findings".
extension XCTestCase {
    /// Runs `rule` on `input` and asserts that it reports exactly `expected`, given as location descriptions
    /// (`table public.t`, `policy public.t.p`, `V0001__x.sql:2:1`), every finding under the rule's own id.
    /// Returns the findings, sorted by location, to check messages and fixes.
    @discardableResult
    func assertFindings(_ rule: any AuditRule, _ input: AuditInput, _ expected: [String], _ message: String = "",
                        file: StaticString = #filePath, line: UInt = #line) -> [Finding] {
        let found = rule.check(input).sorted { ($0.location.description, $0.message) < ($1.location.description, $1.message) }
        XCTAssertEqual(found.map(\.location.description), expected.sorted(),
                       "\(rule.id) \(message)\n" + found.map { "  \($0.location.description): \($0.message)" }.joined(separator: "\n"), file: file, line: line)
        for finding in found where finding.ruleId != rule.id || finding.ruleName != rule.name || finding.severity != rule.severity {
            XCTFail("\(rule.id) reported \(finding.ruleId) \(finding.ruleName) \(finding.severity)", file: file, line: line)
        }
        return found
    }

    /// `assertFindings` on a catalog, with the application's roles given or (empty) inferred as `audit` does.
    @discardableResult
    func assertFindings(_ rule: any AuditRule, _ catalog: CatalogBuilder, appRoles: [String] = [], _ expected: [String], _ message: String = "",
                        file: StaticString = #filePath, line: UInt = #line) -> [Finding] {
        assertFindings(rule, AuditInput(catalog: catalog.build(), appRoles: appRoles), expected, message, file: file, line: line)
    }

    /// `assertFindings` on migration files written out in the test, named `V0001__m.sql`, `V0002__m.sql`, ….
    @discardableResult
    func assertFindings(_ rule: any AuditRule, migrations texts: [String], _ expected: [String], _ message: String = "",
                        file: StaticString = #filePath, line: UInt = #line) throws -> [Finding] {
        assertFindings(rule, AuditInput(migrations: try Migration.parse(texts)), expected, message, file: file, line: line)
    }
}

/// Migration files for rule tests, parsed as `tenantwall audit` parses pending migrations.
enum Migration {
    static func name(_ index: Int) -> String {
        let number = String(index + 1)
        return "V" + String(repeating: "0", count: max(0, 4 - number.count)) + number + "__m.sql"
    }

    static func parse(_ texts: [String]) throws -> [ParsedMigration] {
        try texts.enumerated().map { index, text in
            try ParsedMigration(file: MigrationFile(name: name(index), bytes: Array(text.utf8)), path: name(index))
        }
    }
}
