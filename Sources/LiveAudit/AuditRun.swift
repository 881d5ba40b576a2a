import Audit
import Deploy
import Foundation
import LocalPostgres
import Migrations
import PolicyGen
import Postgres
import Tenantwall

/// `tenantwall audit` without its command line: reads what there is to audit (a spec, a live catalog with its
/// drift from the spec, the migration files not yet applied there) and runs every rule, the catalog rules
/// included on what the pending files make of the database.
public struct AuditRun {
    public var spec: Spec?
    /// The database to audit, when there is one.
    public var conninfo: String?
    public var migrationsFolder: String?
    public var config = AuditConfig()
    public var appRoles: [String] = []
    public var tenantColumn: String?
    /// Tables isolated by another column (`public.notes` → `user_id`), over the config's.
    public var tenantColumns: [String: String] = [:]
    /// Accepted findings (a baseline): reported, not failed on.
    public var accepted: Set<String> = []
    /// Run the catalog rules on what the pending migrations make of the database.
    public var catalogRulesOnMigrations = true
    /// Where catalog rules on migrations run when there is no database: a server started for them.
    public var startServer: () throws -> LocalServer = { try LocalServer.start() }

    public init() {}

    /// The findings, sorted, and notes for stderr.
    public func run() throws -> (findings: [Finding], notes: [String]) {
        var catalog: AuditCatalog?
        var drift: [PolicyGen.Plan.Difference] = []
        var applied: Set<String> = []
        if let conninfo {
            let connection = try Connection(conninfo)
            // Read once: the rules and the drift from the spec look at the same catalog.
            let live = try CatalogReader.read(connection)
            catalog = live
            if let spec { drift = try LiveDatabase(connection: connection).plan(spec, catalog: live).differences }
            applied = Set(try MigrationRunner(connection: connection).history().filter(\.success).map(\.script))
        }
        var parsed: [ParsedMigration] = []
        if let migrationsFolder {
            for file in try MigrationFolder.read(migrationsFolder) where !applied.contains(file.name) {
                parsed.append(try ParsedMigration(file: file, path: (migrationsFolder as NSString).appendingPathComponent(file.name)))
            }
        }
        let roles = appRoles.isEmpty ? config.appRoles : appRoles, column = tenantColumn ?? config.tenantColumn
        let input = AuditInput(catalog: catalog, spec: spec, migrations: parsed, drift: drift, appRoles: roles, tenantColumn: column,
                               tenantColumns: perTable)
        var findings = Auditor.run(input, config: config, baseline: accepted)
        var notes: [String] = []
        if !parsed.isEmpty && catalogRulesOnMigrations {
            let (extra, more) = try catalogRules(on: parsed, roles: roles, column: column)
            notes += more
            findings = Auditor.sorted(findings + Auditor.accept(extra, input, baseline: accepted))
        }
        return (findings, notes)
    }

    /// The config's per-table isolation columns, overridden by the command line's.
    var perTable: [String: String] { config.tenantColumns.merging(tenantColumns) { _, given in given } }

    /// Every catalog rule on what the pending files make of the database (rolled back), or of an empty database
    /// on a server started for them when there is no database; skipped, with a note, where none can be started.
    func catalogRules(on parsed: [ParsedMigration], roles: [String], column: String?) throws -> ([Finding], [String]) {
        let perTable = perTable
        let makeInput = { (catalog: AuditCatalog) in AuditInput(catalog: catalog, spec: spec, appRoles: roles, tenantColumn: column, tenantColumns: perTable) }
        if let conninfo {
            let result = try MigrationCatalogAudit.run(try Connection(conninfo), migrations: parsed, config: config, input: makeInput)
            return (result.findings, result.notes)
        }
        let server: LocalServer
        do { server = try startServer() } catch {
            return ([], ["catalog rules on migrations skipped: no PostgreSQL server to run them on (\(error)); give --database, or --no-catalog-rules"])
        }
        defer { server.stop() }
        try server.createDatabase("audit")
        let result = try MigrationCatalogAudit.run(try Connection(server.connectionString(database: "audit")), migrations: parsed, config: config, input: makeInput)
        return (result.findings, ["catalog rules ran on an empty database (PostgreSQL \((try? server.version()) ?? "?"), embedded)"] + result.notes)
    }
}
