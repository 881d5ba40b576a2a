import ArgumentParser
import Audit
import Foundation
import Migrations
import PolicyGen
import Postgres
import Tenantwall

extension AuditFormat: ExpressibleByArgument {}
extension Severity: ExpressibleByArgument {}

/// A linter for tenant isolation: the spec, the live catalog (drift included), and pending migrations.
struct AuditCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "audit",
        abstract: "Check a spec, a live database and pending migrations for unsafe isolation, performance and migration patterns.",
        discussion: "Exit codes: 0 no finding at or above --fail-on, 1 findings, 2 tool error. Rules: tenantwall audit --list-rules.")

    @Option(name: .long, help: ArgumentHelp("A spec file or folder (repeatable).", valueName: "path"))
    var spec: [String] = []

    @Option(name: [.customLong("database"), .customShort("d")], help: ArgumentHelp("libpq connection string or URL of the database to audit.", valueName: "conninfo"))
    var database: String?

    @Option(help: ArgumentHelp("Folder of migration files; only files not yet applied to --database are checked.", valueName: "dir"))
    var migrations: String?

    @Option(help: "text, json, sarif, junit or markdown.")
    var format: AuditFormat = .text

    @Option(help: "Exit 1 when a finding is at or above this severity (error, warning, info).")
    var failOn: Severity = .error

    @Option(help: ArgumentHelp("Accepted findings (written by --write-baseline): reported, not failed on.", valueName: "file"))
    var baseline: String?

    @Option(help: ArgumentHelp("Write the current findings as a baseline file.", valueName: "file"))
    var writeBaseline: String?

    @Option(help: ArgumentHelp("YAML: per-rule off/severity, app_roles, tenant_column.", valueName: "file"))
    var config: String?

    @Option(help: "A role the application uses (repeatable; default: the spec's, or inferred from policies and grants).")
    var appRole: [String] = []

    @Option(help: "The tenant column (default: the spec's, or tenant_id).")
    var tenantColumn: String?

    @Flag(help: "List the rules and exit.")
    var listRules = false

    func validate() throws {
        if !listRules && spec.isEmpty && database == nil && migrations == nil {
            throw ValidationError("give at least one of --spec, --database, --migrations")
        }
    }

    func run() throws {
        if listRules {
            for rule in RuleRegistry.all { print("\(rule.id)  \(rule.severity.rawValue.padding(toLength: 7, withPad: " ", startingAt: 0))  \(rule.name): \(rule.title)") }
            return
        }
        var settings = AuditConfig()
        if let config {
            guard let text = try? String(contentsOfFile: config, encoding: .utf8) else { throw ToolError("cannot read \(config)") }
            settings = try AuditConfig(yaml: text, file: config)
        }
        let loadedSpec = spec.isEmpty ? nil : try SpecFiles.load(spec)
        var catalog: AuditCatalog?
        var drift: [PolicyGen.Plan.Difference] = []
        var applied: Set<String> = []
        if let database {
            let connection = try Connection(database)
            catalog = try AuditCatalogReader.read(connection)
            if let loadedSpec { drift = try LiveDatabase(connection: connection).plan(loadedSpec).differences }
            applied = Set(try MigrationRunner(connection: connection).history().filter(\.success).map(\.script))
        }
        var parsed: [ParsedMigration] = []
        if let migrations {
            for file in try MigrationFolder.read(migrations) where !applied.contains(file.name) {
                parsed.append(try ParsedMigration(file: file, path: (migrations as NSString).appendingPathComponent(file.name)))
            }
        }
        let input = AuditInput(catalog: catalog, spec: loadedSpec, migrations: parsed, drift: drift,
                               appRoles: appRole.isEmpty ? settings.appRoles : appRole, tenantColumn: tenantColumn ?? settings.tenantColumn)
        var accepted: Set<String> = []
        if let baseline {
            guard let data = FileManager.default.contents(atPath: baseline) else { throw ToolError("cannot read baseline \(baseline)") }
            accepted = try Auditor.parseBaseline(data)
        }
        let findings = Auditor.run(input, config: settings, baseline: accepted)
        if let writeBaseline { try Auditor.baselineJSON(findings).write(toFile: writeBaseline, atomically: true, encoding: .utf8) }
        print(AuditReport.render(findings, format: format, threshold: failOn), terminator: "")
        if !Auditor.failing(findings, threshold: failOn).isEmpty { throw ExitCode(1) }
    }
}
