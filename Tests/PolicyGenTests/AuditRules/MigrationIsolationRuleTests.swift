import Audit
import Foundation
import XCTest

/// Migration files that weaken the wall or the runner's guarantees: suppressions without a reason (TW500), RLS
/// turned off or policies dropped (TW509), truncated names (TW510), transaction control (TW514), grants to PUBLIC
/// (TW515), always-true policies (TW516) and new tenant tables without RLS (TW517).
final class MigrationIsolationRuleTests: XCTestCase, RuleTestFile {
    static let covered: Set<String> = ["TW500", "TW509", "TW510", "TW514", "TW515", "TW516", "TW517"]
    static let path = #filePath

    func testSuppressionWithoutReason() throws {
        let found = try assertFindings(SuppressionWithoutReason(), migrations: ["-- tenantwall:allow TW501\nCREATE INDEX i ON t (a);"], ["V0001__m.sql:1:1"])
        XCTAssertEqual(found.first?.message, "tenantwall:allow TW501 has no reason")
        try assertFindings(SuppressionWithoutReason(), migrations: ["-- tenantwall:allow TW501 reason: t has ten rows\nCREATE INDEX i ON t (a);"], [])
        // A suppression without a reason suppresses nothing, and TW500 itself cannot be suppressed.
        let input = AuditInput(migrations: try Migration.parse(["-- tenantwall:allow TW501\n-- tenantwall:allow TW500 reason: no\nCREATE INDEX i ON t (a);"]))
        XCTAssertEqual(Auditor.run(input).map(\.ruleId).filter { ["TW500", "TW501"].contains($0) }.sorted(), ["TW500", "TW501"])
    }

    func testDisablesIsolation() throws {
        let found = try assertFindings(DisablesIsolation(), migrations: ["ALTER TABLE t DISABLE ROW LEVEL SECURITY;\nALTER TABLE t NO FORCE ROW LEVEL SECURITY;\nDROP POLICY p ON t;"],
                                       ["V0001__m.sql:1:1", "V0001__m.sql:2:1", "V0001__m.sql:3:1"])
        XCTAssertEqual(found.map(\.message), ["t: DISABLE ROW LEVEL SECURITY", "t: NO FORCE ROW LEVEL SECURITY", "DROP POLICY p ON t, not created again later in this file"])
        try assertFindings(DisablesIsolation(), migrations: ["ALTER TABLE t ENABLE ROW LEVEL SECURITY, FORCE ROW LEVEL SECURITY;\nDROP POLICY p ON t;\nCREATE POLICY p ON t USING (tenant_id = 1);"], [])
    }

    func testIdentifierTooLong() throws {
        let long = String(repeating: "a", count: 70), fits = String(repeating: "b", count: 63)
        let found = try assertFindings(IdentifierTooLong(), migrations: ["CREATE TABLE \(long) (id int);\nCREATE TABLE \(fits) (id int);"], ["V0001__m.sql:1:1"])
        XCTAssertEqual(found.first?.message, "an identifier starting '\(String(long.prefix(63)))…' is longer than 63 bytes and will be truncated")
        try assertFindings(IdentifierTooLong(), migrations: ["CREATE TABLE t (\(long) int);"], ["V0001__m.sql:1:1"], "a column")
        try assertFindings(IdentifierTooLong(), migrations: ["CREATE TABLE \(fits) (id int);\nCREATE INDEX ON \(fits) (id);"], [])
    }

    func testTransactionControlInFile() throws {
        let found = try assertFindings(TransactionControlInFile(), migrations: ["BEGIN;\nCREATE TABLE t (a int);\nCOMMIT;"], ["V0001__m.sql:1:1", "V0001__m.sql:3:1"])
        XCTAssertEqual(found.map(\.message), ["BEGIN inside a migration file", "COMMIT inside a migration file"])
        XCTAssertEqual(found.first?.fix, "remove it; for statements that cannot run in a transaction, mark the file -- tenantwall:no-transaction")
        try assertFindings(TransactionControlInFile(), migrations: ["CREATE TABLE t (a int);"], [])
    }

    func testMigrationGrantsToPublic() throws {
        let found = try assertFindings(MigrationGrantsToPublic(), migrations: ["GRANT SELECT ON t TO app, PUBLIC;"], ["V0001__m.sql:1:1"])
        XCTAssertEqual(found.first?.fix, "grant to the application's roles by name")
        try assertFindings(MigrationGrantsToPublic(), migrations: ["GRANT SELECT ON t TO app;\nGRANT USAGE ON SCHEMA s TO PUBLIC;\nREVOKE ALL ON t FROM PUBLIC;"], [])
    }

    func testMigrationPolicyAlwaysTrue() throws {
        let found = try assertFindings(MigrationPolicyAlwaysTrue(), migrations: ["CREATE POLICY p ON t USING (true);\nALTER POLICY q ON t WITH CHECK ((tenant_id = 1) OR true);"],
                                       ["V0001__m.sql:1:1", "V0001__m.sql:2:1"])
        XCTAssertEqual(found.map(\.message), ["policy p on t is always true", "policy q on t is always true"])
        XCTAssertEqual(found.first?.fix, "USING (tenant_id = (SELECT <helper>.current_tenant_id()))")
        try assertFindings(MigrationPolicyAlwaysTrue(), migrations: ["CREATE POLICY p ON t USING (tenant_id = 1);"], [])
    }

    func testMigrationTenantTableWithoutRLS() throws {
        let found = try assertFindings(MigrationTenantTableWithoutRLS(), migrations: ["CREATE TABLE s.orders (tenant_id uuid, id int);"], ["V0001__m.sql:1:1"])
        XCTAssertEqual(found.first?.message, "s.orders has tenant_id but no ENABLE ROW LEVEL SECURITY in the pending migrations")
        XCTAssertEqual(found.first?.fix, #"ALTER TABLE "s"."orders" ENABLE ROW LEVEL SECURITY, FORCE ROW LEVEL SECURITY; CREATE POLICY … (or declare it in the spec)"#)
        try assertFindings(MigrationTenantTableWithoutRLS(), migrations: ["CREATE TABLE s.orders (tenant_id uuid, id int);", "ALTER TABLE s.orders ENABLE ROW LEVEL SECURITY;"], [])
        try assertFindings(MigrationTenantTableWithoutRLS(), migrations: ["CREATE TABLE s.plans (id int);"], [])
        // `orders` and `public.orders` are one table under the default search_path.
        try assertFindings(MigrationTenantTableWithoutRLS(), migrations: ["CREATE TABLE orders (tenant_id uuid);\nALTER TABLE public.orders ENABLE ROW LEVEL SECURITY;"], [])
        // The tenant column is the one the audit is told about.
        let input = AuditInput(migrations: try Migration.parse(["CREATE TABLE s.orders (org_id uuid);"]), tenantColumn: "org_id")
        assertFindings(MigrationTenantTableWithoutRLS(), input, ["V0001__m.sql:1:1"])
    }
}
