import Foundation
import LocalPostgres
import Postgres
import XCTest

/// The change suite itself, before any review runs: each case is well formed, both sides apply cleanly, and
/// each change is real (its check prints what its `-- base:` / `-- head:` lines say). A widening's check runs
/// as the role named and reaches, on the head, a row or command the base refused: that is the witness review
/// has to find.
extension ReviewSuiteTests {
    func testSuiteCoversEveryKindOfChange() throws {
        let cases = try ReviewSuiteCase.all()
        XCTAssertGreaterThanOrEqual(cases.count, 24, "the issue asks for at least 20 changes, the design for 24")
        for c in cases {
            for e in c.expected {
                XCTAssertNotNil(ReviewSuiteCase.strength[e.class], "\(c.name): unknown class \(e.class)")
                XCTAssertTrue(ReviewSuiteCase.commands.contains(e.command), "\(c.name): unknown command \(e.command)")
                XCTAssertTrue(e.object.contains("."), "\(c.name): object \(e.object) is not schema.table")
            }
            XCTAssertEqual(Set(c.expected.map(\.key)).count, c.expected.count, "\(c.name): a key is expected twice")
            if c.name.contains("equivalent") {
                XCTAssertFalse(c.expected.contains { $0.class != "equivalent" }, "\(c.name): an equivalent rewrite must expect no other class")
            }
            // A rewrite's check prints the same on both sides; every other change shows in its check.
            let same = try c.checkResult("base") == c.checkResult("head")
            XCTAssertEqual(same, c.expectedVerdict == "equivalent" || c.expectedVerdict == "none",
                           "\(c.name): its check must differ between the sides exactly when access changes")
        }
        let verdicts = Set(cases.map(\.expectedVerdict))
        XCTAssertTrue(verdicts.isSuperset(of: ["widening", "narrowing", "equivalent", "none"]), "\(verdicts)")
    }

    /// Applies both sides of every case on a server of its own (roles are cluster-wide, and cases change role
    /// attributes and memberships), runs each check, and drops the roles between sides.
    func testEveryFixtureAppliesAndItsChangeIsReal() throws {
        let server = try TestServer.startSeparate()
        defer { server.stop() }
        let admin = try Connection(server.connectionString())
        var failures: [String] = []
        for c in try ReviewSuiteCase.all() {
            for side in ["base", "head"] {
                try reset(admin)
                try admin.execute("CREATE DATABASE s_\(side)")
                let db = try Connection(server.connectionString(database: "s_\(side)"))
                do {
                    try db.transaction { _ = try db.execute(try c.migration(side)) }
                } catch {
                    failures.append("\(c.name) \(side): V1__schema.sql does not apply: \(error)")
                    continue
                }
                let got = try run(check: c.check, on: db)
                let want = try c.checkResult(side)
                if got != want { failures.append("\(c.name) \(side): check.sql printed \(got.debugDescription), its header says \(want.debugDescription)") }
            }
        }
        try reset(admin)
        if !failures.isEmpty { XCTFail(failures.joined(separator: "\n")) }
    }

    private func reset(_ admin: Connection) throws {
        for statement in ["DROP DATABASE IF EXISTS s_base", "DROP DATABASE IF EXISTS s_head",
                          "DROP ROLE IF EXISTS app_user", "DROP ROLE IF EXISTS support", "DROP ROLE IF EXISTS admin"] {
            try admin.execute(statement)
        }
    }

    /// Runs a check (BEGIN … ROLLBACK) and returns what psql would print last: the final statement's first
    /// value, or `ERROR:  <message>` when a statement fails.
    private func run(check: String, on db: Connection) throws -> String {
        let body = check.split(separator: "\n").filter { !$0.hasPrefix("--") && $0 != "ROLLBACK;" }.joined(separator: "\n")
        defer { _ = try? db.execute("ROLLBACK") }
        do {
            return try db.execute(body).scalar ?? ""
        } catch let error as PostgresError {
            return "ERROR:  \(error.message)"
        }
    }
}
