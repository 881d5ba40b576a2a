import Audit
import Foundation
import PolicyGen
import Postgres
import Quoting
import SQLParser
import Tenantwall

/// Every catalog rule, run on what pending migrations would make of a database: the files run statement by
/// statement in one transaction that is always rolled back (as `plan` does), the catalog is read after each
/// statement, and each finding that appears is reported at the `file:line:col` of the statement that
/// introduced it. Statement rules still cover what only the text shows (locks, CONCURRENTLY, NOT VALID).
public enum MigrationCatalogAudit {
    public struct Result {
        public var findings: [Finding] = []
        /// Statements that could not run here (a table the database lacks, a statement that needs its own
        /// transaction): from the first of them on, a file's statements only clear findings, never add them.
        public var notes: [String] = []
    }

    static func key(_ f: Finding) -> String { f.ruleId + "|" + f.location.description }

    /// - Parameter input: builds the audit input for a catalog (the caller's spec, app roles, tenant column).
    public static func run(_ connection: Connection, migrations: [ParsedMigration], lockTimeout: String = "5s",
                           config: AuditConfig = AuditConfig(), input: (AuditCatalog) -> AuditInput) throws -> Result {
        var result = Result()
        try connection.execute("BEGIN")
        defer { _ = try? connection.execute("ROLLBACK") }
        try connection.execute("SET LOCAL lock_timeout = \(SQL.literal(lockTimeout))")
        let initial = Set(Auditor.run(input(try AuditCatalogReader.readInCurrentTransaction(connection)), config: config).map(key))
        // What each step shows, and where each finding last appeared: a problem that a later statement of the
        // pending migrations fixes (a table created, then given RLS) is not reported; one that stays is reported
        // at the statement that introduced it.
        var previous = initial
        var introducedAt: [String: Finding] = [:]
        var current: [String: Finding] = [:]
        for migration in migrations {
            // After a statement that cannot run here (an extension this server lacks, a table the database lacks),
            // the rest of the file still runs, skipping what fails, but only to see whether it fixes what came
            // before (a table created, then given RLS after a `create_hypertable` this server cannot run): what it
            // would introduce is judged on a database without the failed statement, and is not reported.
            var stopped = false, skipped = 0
            for statement in migration.statements {
                if let why = outsideTransaction(statement) {
                    result.notes.append("\(migration.path):\(statement.line): not run for the catalog rules (\(why))")
                    continue
                }
                try connection.execute("SAVEPOINT tw_audit")
                do {
                    try connection.execute(statement.text)
                    try connection.execute("RELEASE SAVEPOINT tw_audit")
                } catch let error as PostgresError {
                    try connection.execute("ROLLBACK TO SAVEPOINT tw_audit; RELEASE SAVEPOINT tw_audit")
                    if stopped { skipped += 1; continue }
                    stopped = true
                    result.notes.append("\(migration.path):\(statement.line): could not run here (\(error.sqlState ?? "?"): \(error.message)); "
                                        + "catalog rules report nothing new from the rest of this file, which runs only to clear what came before")
                    continue
                }
                let now = Auditor.run(input(try AuditCatalogReader.readInCurrentTransaction(connection)), config: config)
                current = Dictionary(now.map { (key($0), $0) }, uniquingKeysWith: { a, _ in a })
                for (k, finding) in current where !previous.contains(k) && !stopped {
                    var introduced = finding
                    introduced.message = finding.message + " (\(finding.location.description), introduced by this statement)"
                    introduced.location = .file(migration.path, line: statement.line, column: statement.column)
                    introducedAt[k] = introduced
                }
                previous = Set(current.keys)
            }
            if skipped > 0 { result.notes.append("\(migration.path): \(skipped) later statement(s) could not run here either") }
        }
        result.findings = Auditor.sorted(current.keys.filter { !initial.contains($0) }.compactMap { introducedAt[$0] })
        return result
    }

    /// Statements that cannot run inside the audit's transaction, or end it.
    static func outsideTransaction(_ statement: SQLParser.Statement) -> String? {
        switch statement.kind {
        case "TransactionStmt": return "transaction control"
        case "VacuumStmt", "CreatedbStmt", "DropdbStmt", "AlterSystemStmt", "CreateTableSpaceStmt": return "cannot run in a transaction"
        case "IndexStmt" where statement.tree.contains("\"concurrent\":true"): return "CONCURRENTLY cannot run in a transaction"
        case "ReindexStmt" where statement.tree.contains("\"concurrently\""): return "CONCURRENTLY cannot run in a transaction"
        default: return nil
        }
    }
}
