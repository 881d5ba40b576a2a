import Foundation
import Proof
import XCTest

/// The cost of a review: 1,000 checks of the policy pairs a review asks about (equivalent rewrites, widenings
/// with their witness, gates, fail-open readers), timed and printed.
final class SolverBenchmarkTests: XCTestCase {
    static let pairs: [(String, String)] = [
        (SolverFixture.wall, "app.current_tenant_id() = tenant_id"),
        (SolverFixture.wall + " OR is_public", SolverFixture.wall),
        (SolverFixture.wall + " OR (SELECT app.admin_mode_enabled())", SolverFixture.wall),
        ("\"tenant_id\" OPERATOR(pg_catalog.=) (SELECT \"app\".\"current_tenant_id\"())", SolverFixture.wall + " AND true"),
        ("app.current_tenant_id() IS NULL OR " + SolverFixture.wall, SolverFixture.wall),
        ("(tenant_id)::text = current_setting('app.tenant_id', true)", SolverFixture.wall),
        ("title IN ('a', 'b') AND " + SolverFixture.wall, "title = ANY (ARRAY['a'::text, 'b'::text])"),
        ("path LIKE (current_setting('app.tenant_id', true) || '%')", "path = current_setting('app.tenant_id', true)"),
        (SolverFixture.wall + " AND owner_id = 1", SolverFixture.wall),
        ("COALESCE(current_setting('app.tenant_id', true), '') = (tenant_id)::text", SolverFixture.wall),
    ]

    func testThousandChecks() {
        let side = SolverFixture.side()
        let solver = PredicateSolver()
        var outcomes: [String: Int] = [:]
        var spent: [String: TimeInterval] = [:]
        let start = Date()
        for i in 0..<1_000 {
            let (a, b) = Self.pairs[i % Self.pairs.count]
            let began = Date()
            let kind: String
            switch solver.entails(.expression(a), in: side, .expression(b), in: side) {
            case .holds: kind = "holds"
            case .fails: kind = "fails"
            case .unknown(let why): kind = "unknown: " + why
            }
            outcomes[kind, default: 0] += 1
            spent[kind, default: 0] += Date().timeIntervalSince(began)
        }
        let seconds = Date().timeIntervalSince(start)
        let each = outcomes.keys.sorted().map { "\($0) \(outcomes[$0]!) × \(String(format: "%.1f", spent[$0]! * 1000 / Double(outcomes[$0]!))) ms" }
        print("SolverBenchmark: 1000 checks in \(String(format: "%.2f", seconds)) s (\(each.joined(separator: ", ")))")
        XCTAssertEqual(outcomes["holds"], 700)
        XCTAssertEqual(outcomes["fails"], 300)
        XCTAssertLessThan(seconds, 20, "a review of ~1,500 entries must stay within seconds")
    }
}

/// Checks run on many threads at once (review compares tables in parallel): each has its own Z3 context.
final class SolverConcurrencyTests: XCTestCase {
    func testChecksOnManyThreadsAgreeWithOneThread() {
        let side = SolverFixture.side()
        let solver = PredicateSolver()
        let pairs = SolverBenchmarkTests.pairs
        let expected = pairs.map { solver.entails(.expression($0.0), in: side, .expression($0.1), in: side) == .holds }
        let results = ResultBox(count: pairs.count * 8)
        DispatchQueue.concurrentPerform(iterations: pairs.count * 8) { i in
            let (a, b) = pairs[i % pairs.count]
            results.set(i, solver.entails(.expression(a), in: side, .expression(b), in: side) == .holds)
        }
        for i in 0..<pairs.count * 8 { XCTAssertEqual(results.get(i), expected[i % pairs.count], "pair \(i % pairs.count)") }
    }

    func testEveryBenchmarkWitnessIsACounterexample() {
        for (a, b) in SolverBenchmarkTests.pairs {
            let side = SolverFixture.side()
            if case .fails = solver.entails(.expression(a), in: side, .expression(b), in: side) { assertWidens(a, b) }
        }
    }
}

final class ResultBox: @unchecked Sendable {
    private let lock = NSLock()
    private var values: [Bool?]
    init(count: Int) { values = Array(repeating: nil, count: count) }
    func set(_ i: Int, _ value: Bool) { lock.lock(); values[i] = value; lock.unlock() }
    func get(_ i: Int) -> Bool? { lock.lock(); defer { lock.unlock() }; return values[i] }
}
