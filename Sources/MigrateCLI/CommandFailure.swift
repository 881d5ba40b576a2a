import Audit
import Deploy
import Migrations
import PolicyGen
import Postgres
import SQLParser
import Tenantwall

/// An error the CLI reports as one message and ends with its documented exit code (2 unless it says
/// otherwise): the one place that maps the libraries' errors onto the exit-code contract.
protocol CommandFailure: Error, CustomStringConvertible {
    var exitCode: Int32 { get }
    /// What stderr shows (passwords masked by `Output.error`).
    var report: String { get }
}

extension CommandFailure {
    var exitCode: Int32 { ExitCodes.error }
    var report: String { "error: " + description }
}

extension SpecErrors: CommandFailure {
    var report: String { description + "\n\(diagnostics.filter { $0.severity == .error }.count) error(s) in the spec" }
}

extension PostgresError: CommandFailure {}
extension StatementError: CommandFailure {}
extension ToolError: CommandFailure {}
/// `init` cannot decide without the author (no tenant column, two candidates).
extension AdoptionError: CommandFailure {}
extension MissingExtensions: CommandFailure {}
extension AuditConfigError: CommandFailure {}
extension SQLParser.SyntaxError: CommandFailure {}
extension MigrationError: CommandFailure {}
/// A migration stopped before it ran (a changed or failed file): a finding, not a tool error.
extension MigrationBlocked: CommandFailure { var exitCode: Int32 { ExitCodes.finding } }
extension MigrationFailed: CommandFailure { var report: String { "error: " + description + "\nthe migration was rolled back" } }
/// Another deploy holds the migration lock.
extension LockNotAcquired: CommandFailure { var exitCode: Int32 { ExitCodes.lockNotAcquired } }
/// `apply` refused before changing anything: what it would break is a finding, not a tool error.
extension ApplyBlocked: CommandFailure { var exitCode: Int32 { ExitCodes.finding } }
