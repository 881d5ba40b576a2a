import Postgres
import XCTest

/// `Connection.pipeline`: several prepared statements in one round trip run in one implicit transaction, so a
/// transaction-scoped tenant context reaches the query after it and nothing after that; a failure rolls the
/// whole pipeline back and leaves the connection ready.
final class PipelineTests: XCTestCase {
    func testContextSetInAPipelineReachesTheNextStatementOnly() throws {
        let (_, db) = try TestServer.freshDatabase("pipe")
        try db.prepare("ctx", "SELECT pg_catalog.set_config('app.t', $1, true)")
        try db.prepare("read", "SELECT pg_catalog.current_setting('app.t', true)")
        let results = try db.pipeline([("ctx", ["tenant-a"]), ("read", [])])
        XCTAssertEqual(results.count, 2)
        XCTAssertEqual(results[1].scalar, "tenant-a")
        XCTAssertEqual(try db.query("SELECT coalesce(pg_catalog.current_setting('app.t', true), '')").scalar, "", "gone with the pipeline's transaction")
        XCTAssertFalse(db.isInTransaction)
    }

    func testAFailureRollsThePipelineBackAndLeavesTheConnectionUsable() throws {
        let (_, db) = try TestServer.freshDatabase("pipe")
        try db.execute("CREATE TABLE t (x integer)")
        try db.prepare("ins", "INSERT INTO t VALUES ($1)")
        try db.prepare("fail", "SELECT 1 / $1::integer")
        try db.prepare("ctx", "SELECT pg_catalog.set_config('app.t', $1, true)")
        XCTAssertThrowsError(try db.pipeline([("ins", ["1"]), ("ctx", ["b"]), ("fail", ["0"]), ("ins", ["2"])])) { error in
            XCTAssertEqual((error as? PostgresError)?.sqlState, "22012")
        }
        XCTAssertEqual(try db.query("SELECT count(*) FROM t").scalar, "0", "the insert before the failure rolled back")
        XCTAssertEqual(try db.query("SELECT coalesce(pg_catalog.current_setting('app.t', true), '')").scalar, "")
        XCTAssertEqual(try db.pipeline([("ins", ["3"])]).count, 1)
        XCTAssertEqual(try db.query("SELECT count(*) FROM t").scalar, "1")
        XCTAssertThrowsError(try db.pipeline([("missing", [])])) { error in
            XCTAssertEqual((error as? PostgresError)?.sqlState, "26000", "unknown prepared statement")
        }
        XCTAssertEqual(try db.query("SELECT 1").scalar, "1")
    }
}
