import Foundation
import LocalPostgres
import Postgres
import XCTest

/// The change suite itself, before any review runs: each case is well formed, both sides apply cleanly, and
/// each change is real (its check prints what its `-- base:` / `-- head:` lines say). A widening's check runs
/// as a role named and reaches, on the head, a row or command the base refused: that is the witness review has
/// to find. Further checks do the same for the other roles, or show an equivalent role's access unchanged.
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
            // A rewrite's checks print the same on both sides; any other change shows in its first check.
            let checks = try c.checks()
            if c.expectedVerdict == "equivalent" || c.expectedVerdict == "none" {
                XCTAssertFalse(checks.contains { $0.base != $0.head }, "\(c.name): a rewrite's checks must print the same on both sides")
            } else {
                XCTAssertNotEqual(checks.first?.base, checks.first?.head, "\(c.name): its first check must show the change")
            }
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
                for check in try c.checks() {
                    let got = try run(check.sql, on: db)
                    let want = side == "base" ? check.base : check.head
                    if got != want {
                        failures.append("\(c.name) \(side), check \(check.description): printed \(got.debugDescription), check.sql says \(want.debugDescription)")
                    }
                }
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
    private func run(_ sql: String, on db: Connection) throws -> String {
        let body = sql.split(separator: "\n").filter { $0 != "ROLLBACK;" }.joined(separator: "\n")
        defer { _ = try? db.execute("ROLLBACK") }
        do {
            return try db.execute(body).scalar ?? ""
        } catch let error as PostgresError {
            return "ERROR:  \(error.message)"
        }
    }
}
