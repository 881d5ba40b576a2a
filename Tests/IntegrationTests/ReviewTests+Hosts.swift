import Foundation
import Postgres
import Review
import XCTest

/// The other places a side can be: a live database (read, never written: its widenings are not run) and a
/// server the user gives (`--server`: both sides in scratch databases there, dropped afterwards).
final class ReviewHostTests: XCTestCase {
    func testALiveDatabaseIsReadAndItsWideningsAreNotRun() throws {
        let role = "rv_app_\(getpid())"
        let (name, connection) = try TestServer.freshDatabase("review_live")
        try connection.execute(ReviewFixture.schema(role: role))
        let fixture = try ReviewFixture.folders(base: ReviewFixture.schema(role: role), head: ReviewFixture.schema(grants: "SELECT, INSERT, DELETE", role: role))
        defer { try? FileManager.default.removeItem(at: fixture.root) }
        var review = ReviewRun(base: .database(try TestServer.shared.connectionString(database: name)), head: .directory(fixture.head),
                               host: .embedded(binDirectory: nil))
        review.appRoles = [role]
        let summary = try review.run()
        XCTAssertEqual(summary.base.label, "base (live database)")
        XCTAssertNil(summary.base.serverStartMilliseconds)
        let delete = try XCTUnwrap(summary.changes.first { $0.role == role && $0.command == "DELETE" }, "\(summary.changes)")
        XCTAssertEqual(delete.kind, .widening)
        XCTAssertNil(delete.confirmed)
        if delete.witness != nil { XCTAssertTrue(delete.reason.contains("a live database is only read"), delete.reason) }
        XCTAssertEqual(summary.changes.filter { $0.kind != .widening }.count, 0, "the same schema otherwise: \(summary.changes)")
        XCTAssertEqual(try connection.query("SELECT count(*) FROM notes").scalar, "0", "nothing written to the live side")
    }

    func testAGivenServerHoldsBothSidesInScratchDatabasesThatAreDropped() throws {
        let role = "rv_srv_\(getpid())"
        let fixture = try ReviewFixture.folders(base: ReviewFixture.schema(role: role), head: ReviewFixture.schema(grants: "SELECT", role: role))
        defer { try? FileManager.default.removeItem(at: fixture.root) }
        let server = try TestServer.shared.connectionString()
        var review = ReviewRun(base: .directory(fixture.base), head: .directory(fixture.head), host: .server(server))
        review.appRoles = [role]
        let summary = try review.run()
        XCTAssertNil(summary.head.serverStartMilliseconds)
        XCTAssertEqual(summary.changes.map { "\($0.kind.rawValue) \($0.command)" }, ["narrowing INSERT"], "\(summary.changes)")
        let left = try Connection(server).query("SELECT count(*) FROM pg_database WHERE datname LIKE 'tenantwall_review_%'").scalar
        XCTAssertEqual(left, "0", "the scratch databases are dropped")
    }
}
