import ArgumentParser
import Foundation
import Audit
import Migrations
import SQLParser
import PolicyGen
import Postgres
import Tenantwall

/// `tenantwall`: provable tenant isolation for PostgreSQL.
///
/// Exit codes are a contract for pipelines: 0 ok, 1 findings or drift, 2 usage or tool error.
@main
struct TenantwallCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "tenantwall",
        abstract: "Row-level security for multi-tenant PostgreSQL, generated from a spec and proven on a live database.",
        discussion: "Exit codes: 0 ok, 1 differences or findings, 2 usage or tool error.",
        version: VersionCommand.text,
        subcommands: [Init.self, Check.self, Generate.self, Plan.self, Apply.self, Migrate.self, Status.self, Baseline.self, Repair.self, Tenant.self, Verify.self, AuditCommand.self, BenchCommand.self, Demo.self, ExtensionSQL.self, VersionCommand.self]
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
        Foundation.exit(2)
    }
}

enum Output {
    /// Every error line: anything shaped like a password masked (libpq errors can quote a connection string),
    /// and no doubled severity ("error: ERROR: …").
    static func error(_ text: String) {
        var line = Redaction.scrub(text)
        if line.hasPrefix("error: ERROR: ") { line = "error: " + line.dropFirst("error: ERROR: ".count) }
        FileHandle.standardError.write((line + "\n").data(using: .utf8)!)
    }

    /// Progress lines go to stderr, and only on a terminal: pipelines get quiet, parseable stdout.
    static func progress(_ text: String) {
        if isatty(STDERR_FILENO) == 1 { error(text) }
    }
}
