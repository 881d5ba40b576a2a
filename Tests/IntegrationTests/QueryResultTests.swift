import Postgres
import XCTest

/// `QueryResult` read by column name, on results built by hand (no server needed): a query may repeat a
/// column name, and reading it must not trap.
final class QueryResultTests: XCTestCase {
    /// `SELECT a.id, b.id, a.name` as libpq would return it.
    let joined = QueryResult(columns: ["id", "id", "name"], rows: [["1", "2", "x"], [nil, "4", "y"]], affectedRows: 0)

    func testTheFirstOfTwoSameNamedColumnsWins() {
        XCTAssertEqual(joined.records.map { $0["id"] }, [.some("1"), .some(nil)])
        XCTAssertEqual(joined.records.map { $0["name"] }, [.some("x"), .some("y")])
        XCTAssertEqual(joined.records.map(\.count), [2, 2], "one entry per distinct name")
        XCTAssertEqual(joined.named.map { $0["id"] }, ["1", nil], "a NULL in the first column is not filled from the second")
        XCTAssertEqual(joined.named.map { $0.int("id") }, [1, nil])
    }

    func testDistinctColumnsAreAllThere() {
        let result = QueryResult(columns: ["relname", "relrowsecurity", "n"], rows: [["t", "t", "3"], ["u", "false", nil]], affectedRows: 0)
        XCTAssertEqual(result.named.map { $0["relname"] }, ["t", "u"])
        XCTAssertEqual(result.named.map { $0.bool("relrowsecurity") }, [true, false])
        XCTAssertEqual(result.named.map { $0.int("n") }, [3, nil])
        XCTAssertEqual(result.scalar, "t")
        XCTAssertTrue(result.flag)
    }

    func testNoRowsNoRecords() {
        XCTAssertEqual(QueryResult(columns: ["id", "id"], rows: [], affectedRows: 3).records.count, 0)
    }
}
