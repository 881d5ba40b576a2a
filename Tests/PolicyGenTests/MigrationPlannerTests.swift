import Migrations
import SQLParser
import XCTest

final class MigrationPlannerTests: XCTestCase {
    func file(_ name: String, _ text: String = "SELECT 1;\n") throws -> MigrationFile {
        try MigrationFile(name: name, bytes: Array(text.utf8))
    }

    func row(_ file: MigrationFile, success: Bool = true, checksum: String? = nil) -> HistoryRow {
        HistoryRow(rank: 1, version: file.version, description: file.description, kind: file.kind.rawValue, script: file.name,
                   checksum: checksum ?? file.checksum, appliedBy: "x", appliedAt: "t", executionMs: 1, success: success, failedLine: success ? nil : 3, error: nil)
    }

    func testFileNamesAreAContract() throws {
        XCTAssertEqual(try file("V0003__add_audit_log.sql").version?.parts, [3])
        XCTAssertEqual(try file("V0003__add_audit_log.sql").description, "add audit log")
        XCTAssertEqual(try file("R__helpers.sql").kind, .repeatable)
        for bad in ["V3_add.sql", "3__add.sql", "V__add.sql", "Vx__add.sql", "R_add.sql", "V1__add.SQL", "V1__.sql"] {
            XCTAssertThrowsError(try file(bad), bad) { error in
                guard case .badName(let name)? = error as? MigrationError else { return XCTFail("\(bad): \(error)") }
                XCTAssertEqual(name, bad)
            }
        }
        XCTAssertThrowsError(try MigrationPlanner.files([("V1__a.sql", []), ("V001__b.sql", [])])) { error in
            guard case .duplicateVersion? = error as? MigrationError else { return XCTFail("\(error)") }
        }
        XCTAssertLessThan(Version("2.9")!, Version("2.10")!)
        XCTAssertEqual(Version("1.0")!, Version("1")!)
    }

    func testDirectives() throws {
        let f = try file("V1__x.sql", "-- tenantwall:no-transaction\n-- tenantwall:lock-timeout=2s\n--tenantwall:statement-timeout=10min\nSELECT 1;\n")
        XCTAssertFalse(f.directives.transactional)
        XCTAssertEqual(f.directives.lockTimeout, "2s")
        XCTAssertEqual(f.directives.statementTimeout, "10min")
        XCTAssertNil(f.directives.lockRetries)
        XCTAssertEqual(try file("V1__x.sql", "-- tenantwall:lock-retries=5\nSELECT 1;\n").directives.lockRetries, 5)
        for (text, line) in [("-- tenantwall:no-transacton\n", 1), ("SELECT 1;\n-- tenantwall:lock-timeout=soon\n", 2),
                             ("-- tenantwall:lock-retries=-1\n", 1), ("-- tenantwall:lock-retries=many\n", 1), ("-- tenantwall:lock-retries=101\n", 1)] {
            XCTAssertThrowsError(try file("V1__x.sql", text)) { error in
                guard case let .badDirective(file, at, _)? = error as? MigrationError else { return XCTFail("\(error)") }
                XCTAssertEqual(file, "V1__x.sql")
                XCTAssertEqual(at, line)
            }
        }
    }

    func testStatesAndBlockers() throws {
        let v1 = try file("V1__a.sql"), v2 = try file("V2__b.sql"), v3 = try file("V3__c.sql"), r = try file("R__v.sql")
        let clean = MigrationPlanner.plan(files: [v1, v2, v3, r], history: [row(v1)])
        XCTAssertEqual(clean.statuses.map(\.state), [.applied, .pending, .pending, .pending])
        XCTAssertEqual(clean.toApply.map(\.name), ["V2__b.sql", "V3__c.sql", "R__v.sql"])
        XCTAssertTrue(clean.blockers.isEmpty)

        let drift = MigrationPlanner.plan(files: [v1, v2], history: [row(v1, checksum: "00")])
        XCTAssertEqual(drift.statuses.first?.state, .changed)
        XCTAssertEqual(drift.blockers.count, 1)

        let failed = MigrationPlanner.plan(files: [v1], history: [row(v1, success: false)])
        XCTAssertEqual(failed.statuses.first?.state, .failed)
        XCTAssertTrue(failed.blockers[0].contains("at line 3"))

        let outOfOrder = MigrationPlanner.plan(files: [v1, v2, v3], history: [row(v1), row(v3)])
        XCTAssertEqual(outOfOrder.blockers.count, 1)
        XCTAssertTrue(MigrationPlanner.plan(files: [v1, v2, v3], history: [row(v1), row(v3)], outOfOrder: true).blockers.isEmpty)

        let target = MigrationPlanner.plan(files: [v1, v2, v3, r], history: [], target: Version("2"))
        XCTAssertEqual(target.toApply.map(\.name), ["V1__a.sql", "V2__b.sql"])

        let missing = MigrationPlanner.plan(files: [v2], history: [row(v1)])
        XCTAssertTrue(missing.statuses.contains { $0.name == "V1__a.sql" && $0.state == .missing })

        let rowR = row(r)
        XCTAssertEqual(MigrationPlanner.plan(files: [r], history: [rowR]).statuses[0].state, .applied)
        XCTAssertEqual(MigrationPlanner.plan(files: [try file("R__v.sql", "SELECT 2;\n")], history: [rowR]).statuses[0].state, .outdated)
    }

    func testParserSplitsDollarQuotesStringsAndComments() throws {
        let sql = """
            -- leading comment; with a semicolon
            CREATE FUNCTION f() RETURNS text LANGUAGE plpgsql AS $$
            BEGIN RETURN 'a;b'; END $$;
            /* block; comment */ SELECT ';' AS "semi;colon";

            CREATE INDEX CONCURRENTLY i ON t (x);
            """
        let statements = try SQLParser.statements(in: sql)
        XCTAssertEqual(statements.map(\.kind), ["CreateFunctionStmt", "SelectStmt", "IndexStmt"])
        XCTAssertEqual(statements.map(\.line), [2, 4, 6])
        XCTAssertEqual(statements[1].column, 22)
        XCTAssertTrue(statements[2].tree.contains("\"concurrent\":true"))
        XCTAssertThrowsError(try SQLParser.statements(in: "SELECT 1;\n\nSELEC 2;")) { error in
            XCTAssertEqual((error as? SQLParser.SyntaxError)?.line, 3)
        }
    }

    /// `generate` numbers its file after the highest version in the folder, dotted versions included (they
    /// were once ignored, so a folder with only `V2.1__…` got `V0001__…`).
    func testGeneratedNamesFollowDottedVersions() {
        XCTAssertEqual(MigrationName.next([], description: "tenantwall_x"), "V0001__tenantwall_x.sql")
        XCTAssertEqual(MigrationName.next(["V0003__a.sql", "V2.1__b.sql", "R__views.sql", "notes.txt"], description: "tenantwall_x"), "V0004__tenantwall_x.sql")
        XCTAssertEqual(MigrationName.next(["V7.2__b.sql", "V0003__a.sql"], description: "d"), "V0008__d.sql")
        XCTAssertEqual(MigrationName.latest(["V1__tenantwall_x.sql", "V2.1__tenantwall_x.sql", "V2__tenantwall_x.sql"], describedAs: "tenantwall_x"), "V2.1__tenantwall_x.sql")
        XCTAssertNil(MigrationName.version("V1_x.sql"))
    }
}
