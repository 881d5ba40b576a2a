import ArgumentParser
import Foundation
import Tenantwall

/// `tenantwall`: provable tenant isolation for PostgreSQL. The root only holds the command tree and maps every
/// error onto the exit codes, which are a contract for pipelines (`ExitCodes`, listed in `--help` and the
/// README).
@main
struct TenantwallCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "tenantwall",
        abstract: "Row-level security for multi-tenant PostgreSQL, generated from a spec and proven on a live database.",
        discussion: ExitCodes.help,
        version: VersionCommand.text,
        subcommands: [Init.self, Check.self, Generate.self, Plan.self, Apply.self, Migrate.self, Status.self, Baseline.self, Repair.self, Tenant.self, TenantColumn.self, Verify.self, Prove.self, AuditCommand.self, ReviewCommand.self, BenchCommand.self, Demo.self, ExtensionSQL.self, VersionCommand.self]
    )

    static func main() {
        do {
            var command = try parseAsRoot()
            try command.run()
        } catch {
            exit(with: error)
        }
    }

    /// Maps every error to a message and the documented exit code; never a stack trace.
    static func exit(with error: Error) -> Never {
        // An error caused by Ctrl-C's cleanup (it drops the connections we were using) is not the outcome:
        // the interruption handler finishes and exits with 128 + the signal.
        Interruption.waitIfInterrupted()
        if let code = error as? ExitCode { Foundation.exit(code.rawValue) }
        if let failure = error as? CommandFailure {
            Output.error(failure.report)
            Foundation.exit(failure.exitCode)
        }
        let code = exitCode(for: error)
        if code == .success {
            print(fullMessage(for: error))
            Foundation.exit(0)
        }
        Output.error(fullMessage(for: error))
        Foundation.exit(ExitCodes.error)
    }
}
