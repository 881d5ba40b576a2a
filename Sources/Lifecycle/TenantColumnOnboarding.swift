import Foundation
import PolicyGen
import Postgres
import Quoting

/// Runs a `TenantColumnPlan` on a live table, step by step, each statement with `lock_timeout` and retried on
/// 55P03, each step first asking the catalog whether it is already done, so that a rerun after an interruption
/// (a lost connection, Ctrl-C, a lock that never came) resumes where the first run stopped.
///
///     let run = TenantColumnOnboarding(connection: db, plan: plan)
///     let report = try run.run()
public final class TenantColumnOnboarding {
    let connection: Connection
    public let plan: TenantColumnPlan
    /// PostgreSQL's `lock_timeout` for every statement (`2s`).
    public var lockTimeout = "2s"
    /// How many times a statement that failed with 55P03 is tried again.
    public var lockRetries = 5
    /// The first wait between tries, doubled each time (at most 8 s).
    public var firstBackoff: TimeInterval = 0.5
    /// Whether to remove the fill-in (the DEFAULT or the trigger) at the end.
    public var dropFill = false
    /// Step messages and retries.
    public var log: (String) -> Void = { _ in }
    /// After each batch of the fill: rows filled so far.
    public var progress: (Int) -> Void = { _ in }

    public init(connection: Connection, plan: TenantColumnPlan) {
        self.connection = connection
        self.plan = plan
    }

    /// What a run did.
    public struct Report: Sendable, Encodable {
        public struct Step: Sendable, Encodable {
            public var step: Int
            public var title: String
            /// False when the catalog showed the step already done.
            public var ran: Bool
            public var seconds: Double
        }
        public var steps: [Step] = []
        public var rowsFilled = 0
        public var batches = 0
        public var retries = 0
        /// The longest statement that takes ACCESS EXCLUSIVE (its wait for the lock included): an upper bound of
        /// how long the table was closed to reads and writes.
        public var longestExclusiveSeconds = 0.0
        public var seconds = 0.0
    }

    /// Runs the steps up to `stopAfter` (all by default).
    @discardableResult
    public func run(stopAfter last: TenantColumnStep = .index) throws -> Report {
        var report = Report()
        let start = Date()
        try connection.execute("SET lock_timeout = \(SQL.literal(lockTimeout))")
        defer { _ = try? connection.execute("RESET lock_timeout") }
        for step in TenantColumnStep.allCases where step <= last {
            let began = Date()
            let ran = try perform(step, &report)
            report.steps.append(.init(step: step.rawValue, title: step.title, ran: ran, seconds: Date().timeIntervalSince(began)))
            log("\(step.label): \(ran ? "done" : "already done") in \(String(format: "%.2f", Date().timeIntervalSince(began))) s")
        }
        if dropFill && last == .index { try retrying(.index, &report) { try transaction(plan.dropFill) } }
        report.seconds = Date().timeIntervalSince(start)
        return report
    }

    /// One step; false when the catalog shows it was done.
    func perform(_ step: TenantColumnStep, _ report: inout Report) throws -> Bool {
        let state = try TenantColumnState.read(connection, plan)
        switch step {
        case .addColumn:
            if let type = state.columnType, type != plan.type {
                throw TenantColumnError(step: step, message: "\(plan.schema).\(plan.table).\(plan.column) exists with type \(type), not \(plan.type)")
            }
            if state.columnType == nil {
                try exclusive(step, &report) { try transaction([plan.addColumn] + plan.installFill) }
                return true
            }
            // A column added by hand, or a run stopped in between: the fill-in is what new rows still need.
            guard !state.notNull, !state.fillInstalled else { return false }
            try exclusive(step, &report) { try transaction(plan.installFill) }
            return true
        case .fill:
            guard !state.notNull else { return false }
            try fill(&report)
            return true
        case .check:
            guard !state.notNull else { return false }
            if state.check == nil { try exclusive(step, &report) { try connection.execute(plan.addCheck) } }
            if state.check != true { try retrying(step, &report) { try connection.execute(plan.validateCheck) } }
            return state.check != true
        case .notNull:
            guard !state.notNull || state.check != nil else { return false }
            try exclusive(step, &report) { try transaction([plan.setNotNull, plan.dropCheck]) }
            return true
        case .index:
            if state.validIndex { return false }
            // Each try starts over: a build that ran out of lock timeout leaves an invalid index behind.
            try retrying(step, &report) {
                if try TenantColumnState.read(connection, plan).invalidIndex { try connection.execute(plan.dropIndex) }
                try connection.execute(plan.createIndex)
            }
            guard try TenantColumnState.read(connection, plan).validIndex else {
                throw TenantColumnError(step: step, message: "the index \(plan.indexName) was built but is not valid")
            }
            return true
        }
    }

    /// Step 2: batches until no row is left to fill; each batch commits on its own.
    func fill(_ report: inout Report) throws {
        while true {
            let filled = try retrying(.fill, &report) { try connection.query(plan.fillBatch).affectedRows }
            report.rowsFilled += filled
            report.batches += 1
            progress(report.rowsFilled)
            if filled == 0, try !connection.query(plan.anyToFill).flag { break }
        }
        let left = Int(try connection.query(plan.countNulls).scalar ?? "0") ?? 0
        guard left == 0 else {
            throw TenantColumnError(step: .fill, message: "\(left) row(s) of \(plan.schema).\(plan.table) have no parent with a tenant (the column they reference is NULL or points at a parent whose tenant is NULL): give them a parent, then run again")
        }
    }

    func transaction(_ statements: [String]) throws {
        try connection.transaction { for statement in statements { try connection.execute(statement) } }
    }

    /// A statement that takes ACCESS EXCLUSIVE: timed, for the report's longest hold.
    func exclusive(_ step: TenantColumnStep, _ report: inout Report, _ body: () throws -> Void) throws {
        var longest = report.longestExclusiveSeconds
        try retrying(step, &report) {
            let began = Date()
            try body()
            longest = max(longest, Date().timeIntervalSince(began))
        }
        report.longestExclusiveSeconds = longest
    }

    /// Runs `body` again after 55P03, at most `lockRetries` times, with doubling waits; any other failure, and
    /// the last 55P03, becomes a `TenantColumnError` naming the step.
    @discardableResult
    func retrying<T>(_ step: TenantColumnStep, _ report: inout Report, _ body: () throws -> T) throws -> T {
        var attempt = 0
        while true {
            do {
                return try body()
            } catch let error as PostgresError where error.sqlState == "55P03" && attempt < lockRetries {
                attempt += 1
                report.retries += 1
                let wait = min(8, firstBackoff * pow(2, Double(attempt - 1)))
                log("\(step.label): lock not available (\(error.message)): retry \(attempt) of \(lockRetries) in \(Int(wait * 1000)) ms")
                usleep(useconds_t(wait * 1_000_000))
            } catch let error as PostgresError {
                let tries = error.sqlState == "55P03" ? " after \(attempt + 1) tries with lock_timeout \(lockTimeout)" : ""
                throw TenantColumnError(step: step, message: "\(error.brief)\(tries)", sqlState: error.sqlState)
            }
        }
    }
}
