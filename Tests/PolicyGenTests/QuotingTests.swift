import PolicyGen
import Quoting
import XCTest

final class QuotingTests: XCTestCase {
    func testIdentifiersAreAlwaysQuotedWithQuotesDoubled() {
        XCTAssertEqual(SQL.ident("orders"), "\"orders\"")
        XCTAssertEqual(SQL.ident("a\"; DROP TABLE x; --"), "\"a\"\"; DROP TABLE x; --\"")
        XCTAssertEqual(SQL.qualified("s\"", "t"), "\"s\"\"\".\"t\"")
    }

    func testLiteralsDoubleQuotesAndEscapeBackslashes() {
        XCTAssertEqual(SQL.literal("it's"), "'it''s'")
        XCTAssertEqual(SQL.literal("a\\b'"), "E'a\\\\b'''")
    }

    func testDollarQuoteChoosesATagAbsentFromTheBody() {
        XCTAssertEqual(SQL.dollarQuoted("x"), "$tw$x$tw$")
        XCTAssertEqual(SQL.dollarQuoted("a $tw$ b"), "$tw1$a $tw$ b$tw1$")
    }

    func testHostileSpecNamesReachTheSQLOnlyQuoted() throws {
        let spec = try SpecLoader.load([("hostile.yaml", HostileSpec.yaml)])
        let sql = Generator(spec: spec).script()
        // Comments may name things as they are; SQL must not.
        let code = sql.split(separator: "\n").filter { !$0.hasPrefix("--") }.joined(separator: "\n")
        for name in ["we\"ird; DROP", "ten$$ant", "zähler"] {
            let quoted = SQL.ident(name)
            XCTAssertTrue(code.contains(quoted), "\(name) appears quoted")
            let rest = code.replacingOccurrences(of: quoted, with: "").replacingOccurrences(of: SQL.literal(name), with: "")
            XCTAssertFalse(rest.contains(name), "\(name) appears only as a quoted identifier or literal")
        }
    }

    func testNamesWithLineBreaksCannotEscapeAComment() {
        let sql = ScriptRenderer.render(header: ["table x\nDROP TABLE y;"], sections: [Section("s\rDROP", [Statement(.roles, "SELECT 1", comment: "a\nb")])])
        for line in sql.split(omittingEmptySubsequences: true, whereSeparator: { $0 == "\n" || $0 == "\r" }) {
            XCTAssertTrue(line.hasPrefix("--") || line == "SELECT 1;", "line outside a comment: \(line)")
        }
    }

    func testLongGeneratedIndexNamesAreShortenedStably() throws {
        let spec = try SpecLoader.load([("x.yaml", """
            roles: {owner: o, app: a, admin: d}
            tables:
              - name: a_table_with_a_rather_long_name_for_testing
                isolation: tenant
                columns: {tenant_id: uuid, another_long_column_name: text}
                indexes:
                  - columns: [tenant_id, another_long_column_name]
            """)])
        let sql = Generator(spec: spec).indexScript()
        let names = sql.split(separator: "\n").filter { $0.hasPrefix("CREATE INDEX") }.map { $0.split(separator: "\"")[1] }
        XCTAssertEqual(names.count, 1, sql)
        XCTAssertLessThanOrEqual(names.first?.utf8.count ?? 99, 63)
        XCTAssertEqual(sql, Generator(spec: spec).indexScript())
    }
}

/// A spec whose names contain quotes, semicolons, dollar quotes and non-ASCII letters (shared with the
/// integration tests, which apply it).
enum HostileSpec {
    static var yaml: String {
        (try? String(contentsOfFile: Repository.path("Tests/Fixtures/hostile-names.yaml"), encoding: .utf8)) ?? ""
    }
}
