import ArgumentParser
import Foundation
import Review
import Tenantwall

/// `tenantwall prove`: the solver on one state, every failure's counterexample run on the database.
struct Prove: ParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Prove the tenant wall with the solver: every role, table and command stays inside it, admits no row without a tenant, and nothing reaches around it.",
        discussion: """
            With --spec the spec is built in a scratch database on a throwaway server; with --database a live \
            database is read (never changed: each counterexample runs in a transaction that is rolled back, which \
            needs a superuser). Each failed obligation prints its counterexample, whether PostgreSQL admitted it, \
            and the SQL to paste. Exit codes: 0 every obligation holds, 1 one fails or is undecided, 2 could not run.
            """)

    @Option(name: .long, help: ArgumentHelp("A spec file or a directory of *.yaml files (repeatable): built in a scratch database, or, with --database, read for the roles, reader and gate.", valueName: "path"))
    var spec: [String] = []

    @Option(name: [.customLong("database"), .customShort("d")], help: ArgumentHelp("A live database to prove instead of building the spec (libpq connection string or URL).", valueName: "conninfo"))
    var database: String?

    @Option(help: ArgumentHelp("With no spec: the tenant column (default tenant_id).", valueName: "name"))
    var tenantColumn: String?

    @Option(help: ArgumentHelp("With no spec: an application role to hold to the wall (repeatable; default: inferred as audit does).", valueName: "role"))
    var appRole: [String] = []

    @Flag(inversion: .prefixedNo, help: "Run each failure's counterexample on the database to confirm it.")
    var confirm = true

    @Option(help: ArgumentHelp("Also write a pgTAP script: a test per obligation; a failed one's test runs its counterexample and fails while PostgreSQL admits it.", valueName: "file"))
    var emitPgtap: String?

    @OptionGroup var binaries: ServerBinaries

    @OptionGroup var output: FormatOptions

    func validate() throws {
        if spec.isEmpty && database == nil { throw ValidationError("give the spec with --spec PATH, or a live database with --database") }
    }

    func run() throws {
        var prove = ProveRun(specPaths: spec, database: database, binDirectory: binaries.pgBindir)
        prove.confirm = confirm
        prove.tenantColumn = tenantColumn
        prove.appRoles = appRole
        let report = try prove.run()
        if let emitPgtap {
            do { try ProvePgTAPScript.render(report).write(toFile: emitPgtap, atomically: true, encoding: .utf8) } catch {
                throw ToolError("cannot write \(emitPgtap): \(error.localizedDescription)")
            }
        }
        if output.json { try output.print(ProveJSON(report)) } else { print(ProveTextReport.render(report), terminator: "") }
        if report.exitCode != 0 { throw ExitCode(report.exitCode) }
    }
}
