import ArgumentParser
import Deploy
import Foundation
import Postgres
import Tenantwall

/// Validates a spec and reports every error with its location; exit 2 when it has any. With `--database`, also
/// runs the generated SQL on that server in a transaction that is always rolled back (as `plan` does), so a
/// spec that passes applies there too.
struct Check: ParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Check a spec: every error at once, as file:line:col.",
        discussion: "With --database, the generated SQL also runs on that server in a transaction that is always rolled back; a spec that apply would refuse there (a column it misdescribes, a refresh or job it would leave with no rows) is an error. Exit codes: 0 ok, 2 errors.")

    @OptionGroup var specOptions: SpecOptions

    /// Only when `--database` is given: the SQL is also tried there (rolled back).
    @OptionGroup var connection: ConnectionOptions

    func validate() throws { try specOptions.require() }

    func run() throws {
        let spec = try specOptions.load()
        print("\(spec.files.joined(separator: ", ")): ok (\(spec.tables.count) tables)")
        if spec.tenancy.scope == .session {
            // Valid, and a choice: said every time, since the leak it allows is silent.
            let at = spec.tenancy.location.map { "\($0.file):\($0.line):\($0.column): " } ?? ""
            FileHandle.standardError.write(Data((at + "warning: tenancy.scope: session: the context outlives the transaction, and through a transaction-mode pooler (PgBouncer pool_mode = transaction) it leaks to the next client of the server connection; use scope: transaction unless the application owns its connections (audit TW402, verify --pooler)\n").utf8))
        }
        if let connection = try connection.connectIfGiven() {
            let live = LiveDatabase(connection: connection)
            let plan = try live.plan(spec)
            print("applies to this server (tried in a transaction that was rolled back): \(plan.differences.count) object(s) would change")
            if !plan.blockers.isEmpty {
                print("but apply would refuse it (tenantwall plan says why):")
                for blocker in plan.blockers { print("  - " + blocker) }
                throw ExitCode(ExitCodes.error)
            }
        }
    }
}
