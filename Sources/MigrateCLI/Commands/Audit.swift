import ArgumentParser
import Audit
import Foundation
import LiveAudit
import LocalPostgres
import Migrations
import PolicyGen
import Postgres
import Reporting
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

    /// The database to audit, only when `--database` is given (no DATABASE_URL fallback: see ConnectionOptions).
    @OptionGroup var connection: ConnectionOptions

    @Option(help: ArgumentHelp("Folder of migration files; only files not yet applied to --database are checked.", valueName: "dir"))
    var migrations: String?

    @Option(help: "text, json, sarif, junit or markdown (--list-rules: text or json).")
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

    @Option(help: ArgumentHelp("The tenant column (default: the spec's, or tenant_id); `schema.table=column` for a table isolated by another column (repeatable).", valueName: "column"))
    var tenantColumn: [String] = []

    @Flag(help: "List the rules and exit.")
    var listRules = false

    @Flag(help: "With --migrations: only the statement rules (no run of the files for the catalog rules).")
    var noCatalogRules = false

    @Option(help: ArgumentHelp("Write the mechanical fixes as a migration: to this file, or as the next versioned file when it is a folder.", valueName: "path"))
    var writeFix: String?

    func validate() throws {
        if listRules && ![.text, .json].contains(format) { throw ValidationError("--list-rules prints text or json, not \(format.rawValue)") }
        if !listRules && spec.isEmpty && connection.database == nil && migrations == nil {
            throw ValidationError("give at least one of --spec, --database, --migrations")
        }
    }

    func run() throws {
        if listRules { return try printRules() }
        var settings = AuditConfig()
        if let config {
            guard let text = try? String(contentsOfFile: config, encoding: .utf8) else { throw ToolError("cannot read \(config)") }
            settings = try AuditConfig(yaml: text, file: config)
        }
        var audit = AuditRun()
        audit.spec = spec.isEmpty ? nil : try SpecFiles.load(spec)
        audit.conninfo = connection.database
        audit.migrationsFolder = migrations
        audit.config = settings
        audit.appRoles = appRole
        for value in tenantColumn {
            let parts = value.split(separator: "=", maxSplits: 1).map { $0.trimmingCharacters(in: .whitespaces) }
            if parts.count == 2 {
                guard parts[0].contains("."), !parts[1].isEmpty else { throw ValidationError("--tenant-column \(value): give schema.table=column") }
                audit.tenantColumns[parts[0]] = parts[1]
            } else {
                audit.tenantColumn = value
            }
        }
        audit.catalogRulesOnMigrations = !noCatalogRules
        audit.startServer = { try EmbeddedServer.start() }
        if let baseline {
            guard let data = FileManager.default.contents(atPath: baseline) else { throw ToolError("cannot read baseline \(baseline)") }
            audit.accepted = try Auditor.parseBaseline(data)
        }
        let (findings, notes) = try audit.run()
        notes.forEach { Output.error("note: " + $0) }
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
        if !Auditor.failing(findings, threshold: failOn).isEmpty { throw ExitCode(ExitCodes.finding) }
    }

    /// One rule of `--list-rules --format json`.
    struct RuleListing: Encodable { var id, severity, name, title: String }

    func printRules() throws {
        if format == .json {
            let rules = RuleRegistry.all.map { RuleListing(id: $0.id, severity: $0.severity.rawValue, name: $0.name, title: $0.title) }
            return print(try JSONWriter.render(rules), terminator: "")
        }
        for rule in RuleRegistry.all { print("\(rule.id)  \(rule.severity.rawValue.padding(toLength: 7, withPad: " ", startingAt: 0))  \(rule.name): \(rule.title)") }
    }
}
