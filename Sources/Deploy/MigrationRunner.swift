import Foundation
import Migrations
import Postgres
import SQLParser
import Tenantwall

/// Applies migrations to a live database, safely under concurrent deploys and crashes.
///
/// - One session-level advisory lock (`HistorySQL.lockKey`) for the whole run, taken by polling
///   `pg_try_advisory_lock` outside any transaction: a second runner waits (bounded) without holding a
///   transaction open, so it never blocks a `CREATE INDEX CONCURRENTLY` (the Flyway #3497 trap), and a killed
///   runner's lock ends with its session.
/// - Each file in its own transaction, with `lock_timeout` and `statement_timeout` set locally; the history row
///   is written in the same transaction, so a file and its record commit or vanish together.
/// - Files marked `-- tenantwall:no-transaction` run statement by statement, with a history row that records
///   the statement in progress, so `status` shows where a killed or failed run stopped.
/// - Per-file commits are asynchronous (`synchronous_commit = off`, safe because each file and its history row
///   are atomic); the run ends with one synchronous commit, so everything is durable before it reports success.
public final class MigrationRunner {
    public struct Settings {
        public var lockWait: TimeInterval = 60
        public var lockTimeout = "10s"
        public var statementTimeout = "30min"
        /// How often a transactional file, or a statement of a no-transaction file, that failed with 55P03
        /// (lock_not_available: `lock_timeout` ran out) is tried again, after an exponential backoff with jitter.
        /// Nothing else is ever retried. A file's `-- tenantwall:lock-retries=N` overrides it.
        public var lockRetries = 0
        /// The first backoff; each retry doubles it (at most `maxBackoff`), and jitter takes it down to half at random.
        public var firstBackoff: TimeInterval = 0.5
        public var maxBackoff: TimeInterval = 30
        /// Where each retry is said, always (not only on a terminal): a retry is part of what a deploy did.
        public var log: (String) -> Void = { _ in }
        public init() {}
    }

    public struct Applied: Codable, Sendable {
        public var file: String
        public var version: String?
        public var kind: String
        public var milliseconds: Int
    }

    public struct Report: Codable, Sendable {
        public var applied: [Applied] = []
        public var lockWaitMilliseconds = 0
        public var lockHolder: Int?
        public var dryRun = false
        public var wouldApply: [String] = []
    }

    let connection: Connection
    let settings: Settings
    let progress: (String) -> Void

    public init(connection: Connection, settings: Settings = Settings(), progress: @escaping (String) -> Void = { _ in }) {
        self.connection = connection
        self.settings = settings
        self.progress = progress
    }

    public func history() throws -> [HistoryRow] {
        guard try connection.query(HistorySQL.exists).flag else { return [] }
        return try connection.query(HistorySQL.select).records.map(HistorySQL.row)
    }

    /// Takes the migration lock, waiting at most `settings.lockWait`. Returns how long it waited and which
    /// backend held it.
    func lock() throws -> (waitedMs: Int, holder: Int?) {
        // If this process dies mid-statement, the server notices within a second and rolls back, releasing
        // the lock, instead of finishing a long statement for nobody (PostgreSQL 14+).
        _ = try? connection.execute("SET client_connection_check_interval = '1s'")
        let start = Date()
        var holder: Int?
        while true {
            if try connection.query("SELECT pg_try_advisory_lock($1)", [String(HistorySQL.lockKey)]).flag {
                return (Int(Date().timeIntervalSince(start) * 1000), holder)
            }
            if holder == nil {
                holder = try connection.query("""
                    SELECT pid FROM pg_locks WHERE locktype = 'advisory' AND granted
                      AND ((classid::bigint << 32) | objid::bigint) = $1 LIMIT 1
                    """, [String(HistorySQL.lockKey)]).scalar.flatMap { Int($0) }
                progress("waiting for the migration lock held by backend \(holder.map(String.init) ?? "?") …")
            }
            if Date().timeIntervalSince(start) >= settings.lockWait {
                throw LockNotAcquired(waited: settings.lockWait, holder: holder)
            }
            usleep(100_000)
        }
    }

    func unlock() {
        _ = try? connection.query("SELECT pg_advisory_unlock($1)", [String(HistorySQL.lockKey)])
    }

    /// Runs `body` holding the migration lock, with the history table in place.
    func locked<T>(_ body: (_ waitedMs: Int, _ holder: Int?) throws -> T) throws -> T {
        let (waited, holder) = try lock()
        defer { unlock() }
        try connection.execute(HistorySQL.create)
        return try body(waited, holder)
    }

    public func plan(_ files: [MigrationFile], target: Version?, outOfOrder: Bool) throws -> MigrationPlan {
        MigrationPlanner.plan(files: files, history: try history(), target: target, outOfOrder: outOfOrder)
    }

    public func migrate(_ files: [MigrationFile], target: Version? = nil, outOfOrder: Bool = false, dryRun: Bool = false) throws -> Report {
        var report = Report()
        if dryRun {
            let plan = try plan(files, target: target, outOfOrder: outOfOrder)
            if !plan.blockers.isEmpty { throw MigrationBlocked(reasons: plan.blockers) }
            for file in plan.toApply { _ = try checked(file) }
            report.dryRun = true
            report.wouldApply = plan.toApply.map(\.name)
            return report
        }
        return try locked { waited, holder in
            report.lockWaitMilliseconds = waited
            report.lockHolder = holder
            let plan = try plan(files, target: target, outOfOrder: outOfOrder)
            if !plan.blockers.isEmpty { throw MigrationBlocked(reasons: plan.blockers) }
            // Parse every pending file before running any, so a syntax error in the fifth file stops the run
            // before the first one is applied.
            let parsed = try plan.toApply.map { ($0, try checked($0)) }
            for (index, (file, statements)) in parsed.enumerated() {
                progress("[\(index + 1)/\(parsed.count)] \(file.name)")
                do {
                    let ms = try run(file, statements)
                    report.applied.append(Applied(file: file.name, version: file.version?.text, kind: file.kind.rawValue, milliseconds: ms))
                } catch var failure as MigrationFailed {
                    failure.applied = report.applied
                    throw failure
                }
            }
            if !report.applied.isEmpty {
                try connection.execute("BEGIN; SET LOCAL synchronous_commit = on; SELECT txid_current(); COMMIT")
            }
            return report
        }
    }

    /// The file's statements, refusing transaction control and statements that cannot run in a transaction
    /// when the file runs in one.
    func checked(_ file: MigrationFile) throws -> [SQLParser.Statement] {
        let statements = try file.statements()
        for statement in statements {
            if statement.kind == "TransactionStmt" { throw MigrationError.transactionControl(file: file.name, line: statement.line) }
            if file.directives.transactional, let what = Self.needsOwnTransaction(statement) {
                throw MigrationError.needsNoTransaction(file: file.name, line: statement.line, what)
            }
        }
        return statements
    }

    static func needsOwnTransaction(_ statement: SQLParser.Statement) -> String? {
        let concurrent = statement.tree.contains("\"concurrent\":true")
        switch statement.kind {
        case "IndexStmt" where concurrent: return "CREATE INDEX CONCURRENTLY"
        case "DropStmt" where concurrent: return "DROP INDEX CONCURRENTLY"
        case "ReindexStmt" where statement.tree.contains("concurrently"): return "REINDEX CONCURRENTLY"
        case "VacuumStmt": return "VACUUM"
        case "CreatedbStmt": return "CREATE DATABASE"
        case "DropdbStmt": return "DROP DATABASE"
        case "AlterSystemStmt": return "ALTER SYSTEM"
        default: return nil
        }
    }

    func timeouts(_ file: MigrationFile, local: Bool) -> String {
        let scope = local ? "SET LOCAL" : "SET"
        let lock = file.directives.lockTimeout ?? settings.lockTimeout
        let statement = file.directives.statementTimeout ?? settings.statementTimeout
        return "\(scope) lock_timeout = '\(lock)'; \(scope) statement_timeout = '\(statement)'"
    }

    func run(_ file: MigrationFile, _ statements: [SQLParser.Statement]) throws -> Int {
        let start = Date()
        let elapsed = { Int(Date().timeIntervalSince(start) * 1000) }
        let kind = file.kind.rawValue
        if file.directives.transactional {
            try retryingLocks(file, what: file.name) {
                try connection.execute("BEGIN; \(timeouts(file, local: true)); SET LOCAL synchronous_commit = off")
                do {
                    for statement in statements { try execute(statement, of: file) }
                    try connection.query(HistorySQL.insert, [file.version?.text, file.description, kind, file.name, file.checksum,
                                                             String(elapsed()), "true", nil, nil])
                    try connection.execute("COMMIT")
                } catch {
                    _ = try? connection.execute("ROLLBACK")
                    throw error
                }
            }
            return elapsed()
        }
        let rank = try connection.query(HistorySQL.insert, [file.version?.text, file.description, kind, file.name, file.checksum,
                                                            "0", "false", statements.first.map { String($0.line) }, "in progress"]).scalar ?? "0"
        try connection.execute(timeouts(file, local: false))
        defer { _ = try? connection.execute("RESET lock_timeout; RESET statement_timeout") }
        for statement in statements {
            // Recorded before the statement runs: if the connection or the server goes away, this is what the
            // row keeps, and it says so (a normal failure replaces it with the server's error, success clears it).
            try connection.query(HistorySQL.markStatement,
                                 [rank, String(statement.line), "did not finish line \(statement.line): the connection was lost or the server restarted while it ran (unless a migrate is running now)"])
            do {
                // Outside a transaction each statement is its own: only the one that failed runs again.
                try retryingLocks(file, what: "\(file.name) line \(statement.line)") { try execute(statement, of: file) }
            } catch let failure as MigrationFailed {
                // Best effort: after a lost connection the row keeps the message written above.
                _ = try? connection.query(HistorySQL.recordFailure,
                                          [rank, failure.error.message, String(elapsed())])
                throw failure
            }
        }
        try connection.query(HistorySQL.recordSuccess,
                             [rank, String(elapsed())])
        return elapsed()
    }

    /// Runs `body` again after a 55P03 (lock_not_available) failure, at most the file's or the run's number of
    /// retries, waiting `firstBackoff · 2^(n-1)` (capped) with equal jitter between tries, so that deploys
    /// blocked by the same long transaction do not come back in step. Any other failure is thrown at once.
    func retryingLocks(_ file: MigrationFile, what: String, _ body: () throws -> Void) throws {
        let retries = file.directives.lockRetries ?? settings.lockRetries
        var attempt = 0
        while true {
            do {
                return try body()
            } catch let failure as MigrationFailed where failure.error.sqlState == "55P03" && attempt < retries {
                attempt += 1
                let backoff = min(settings.maxBackoff, settings.firstBackoff * pow(2, Double(attempt - 1)))
                let wait = backoff / 2 + Double.random(in: 0...(backoff / 2))
                settings.log("lock not available in \(what) (\(failure.error.message)): retry \(attempt) of \(retries) in \(Int(wait * 1000)) ms")
                usleep(useconds_t(wait * 1_000_000))
            }
        }
    }

    func execute(_ statement: SQLParser.Statement, of file: MigrationFile) throws {
        do {
            try connection.execute(statement.text)
        } catch let error as PostgresError {
            var line = statement.line, column = statement.column
            if let at = error.lineAndColumn {
                column = at.line == 1 ? statement.column + at.column - 1 : at.column
                line = statement.line + at.line - 1
            }
            throw MigrationFailed(file: file.name, line: line, column: column, error: error)
        }
    }

    /// Adopts an existing database: records `version` as the baseline, so only later files run.
    public func baseline(_ version: Version, description: String = "baseline") throws {
        try locked { _, _ in
            guard try connection.query(HistorySQL.count).scalar == "0" else {
                throw ToolError("the migration history is not empty: baseline is for a database that has never been migrated by tenantwall")
            }
            try connection.query(HistorySQL.insert, [version.text, description, "baseline", "<< baseline >>", "", "0", "true", nil, nil])
        }
    }

    /// After a human decision: accepts changed files' new checksums and removes failed rows. Returns what it did.
    public func repair(_ files: [MigrationFile]) throws -> [String] {
        try locked { _, _ in
            let plan = MigrationPlanner.plan(files: files, history: try history())
            var actions: [String] = []
            for status in plan.statuses {
                guard let row = status.row else { continue }
                switch status.state {
                case .failed:
                    try connection.query(HistorySQL.forget, [String(row.rank)])
                    actions.append("removed the failed record of \(status.name); it will run again")
                case .changed:
                    let file = files.first { $0.name == status.name }!
                    try connection.query(HistorySQL.acceptChecksum, [String(row.rank), file.checksum])
                    actions.append("accepted the new checksum of \(status.name)")
                default: break
                }
            }
            return actions
        }
    }
}

/// Another runner held the lock for longer than `--lock-timeout`: exit code 3.
public struct LockNotAcquired: Error, CustomStringConvertible {
    public var waited: TimeInterval
    public var holder: Int?
    public var description: String {
        "migration lock not acquired after \(Int(waited))s: another tenantwall migrate is running (backend \(holder.map(String.init) ?? "?"))"
    }
}

/// The run stopped before applying anything (changed or failed files, out-of-order versions): exit code 1.
public struct MigrationBlocked: Error, CustomStringConvertible {
    public var reasons: [String]
    public var description: String { "nothing applied:\n" + reasons.map { "  - " + $0 }.joined(separator: "\n") }
}

/// A statement of a migration failed on the server; its transaction (if any) was rolled back: exit code 2.
public struct MigrationFailed: Error, CustomStringConvertible {
    public var file: String
    public var line: Int
    public var column: Int
    public var error: PostgresError
    /// The files of this run that were applied (and committed) before this one failed.
    public var applied: [MigrationRunner.Applied] = []

    public var description: String {
        var text = "\(file):\(line):\(column): \(error.message) (SQLSTATE \(error.sqlState ?? "?"))"
        if let detail = error.detail { text += "\nDETAIL: \(detail)" }
        if let hint = error.hint { text += "\nHINT: \(hint)" }
        return text
    }
}
