import ArgumentParser
import Audit
import Foundation
import LocalPostgres
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

    @Flag(help: "With --migrations: only the statement rules (no run of the files for the catalog rules).")
    var noCatalogRules = false

    @Option(help: ArgumentHelp("Write the mechanical fixes as a migration: to this file, or as the next versioned file when it is a folder.", valueName: "path"))
    var writeFix: String?

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
        var findings = Auditor.run(input, config: settings, baseline: accepted)
        if !parsed.isEmpty && !noCatalogRules {
            let (extra, notes) = try catalogRulesOnMigrations(parsed, spec: loadedSpec, settings: settings)
            notes.forEach { Output.error("note: " + $0) }
            findings = Auditor.sorted(findings + Auditor.accept(extra, input, baseline: accepted))
        }
        if let writeBaseline { try Auditor.baselineJSON(findings).write(toFile: writeBaseline, atomically: true, encoding: .utf8) }
        if let writeFix {
            let (sql, applied, byHand) = FixMigration.script(findings)
            var isFolder: ObjCBool = false
            let path = FileManager.default.fileExists(atPath: writeFix, isDirectory: &isFolder) && isFolder.boolValue
                ? (writeFix as NSString).appendingPathComponent(MigrationName.next(try FileManager.default.contentsOfDirectory(atPath: writeFix), description: "tenantwall_audit_fixes"))
                : writeFix
            try sql.write(toFile: path, atomically: true, encoding: .utf8)
            Output.error("wrote \(path): \(applied) fix(es) to apply, \(byHand) to apply by hand")
        }
        print(AuditReport.render(findings, format: format, threshold: failOn), terminator: "")
        if !Auditor.failing(findings, threshold: failOn).isEmpty { throw ExitCode(1) }
    }

    /// Every catalog rule on what the pending files make of the database (rolled back), or of an empty database
    /// on the embedded server when no --database is given; skipped, with a note, where no server can be started.
    func catalogRulesOnMigrations(_ parsed: [ParsedMigration], spec: Spec?, settings: AuditConfig) throws -> ([Finding], [String]) {
        let roles = appRole.isEmpty ? settings.appRoles : appRole, column = tenantColumn ?? settings.tenantColumn
        let makeInput = { (catalog: AuditCatalog) in AuditInput(catalog: catalog, spec: spec, appRoles: roles, tenantColumn: column) }
        if let database {
            let result = try MigrationCatalogAudit.run(try Connection(database), migrations: parsed, config: settings, input: makeInput)
            return (result.findings, result.notes)
        }
        let server: LocalServer
        do { server = try EmbeddedServer.start() } catch {
            return ([], ["catalog rules on migrations skipped: no PostgreSQL server to run them on (\(error)); give --database, or --no-catalog-rules"])
        }
        defer { server.stop() }
        try server.createDatabase("audit")
        let result = try MigrationCatalogAudit.run(try Connection(server.connectionString(database: "audit")), migrations: parsed, config: settings, input: makeInput)
        return (result.findings, ["catalog rules ran on an empty database (PostgreSQL \((try? server.version()) ?? "?"), embedded)"] + result.notes)
    }
}
