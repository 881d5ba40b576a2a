import Catalog
import Deploy
import Foundation
import LocalPostgres
import PolicyGen
import Postgres
import Proof
import Tenantwall

/// `tenantwall prove`: one database state, every obligation of the access model checked by the solver, and
/// every counterexample run on that database to confirm it.
///
/// The state is a spec built in a scratch database on a throwaway server (the way `demo` builds it: the spec
/// adapted to the server, then applied), or a live database, which is only read; its witnesses run in
/// transactions that are always rolled back.
///
///     let report = try ProveRun(specPaths: ["policies/notes"]).run()
///     report.failed.isEmpty   // every wall holds
public struct ProveRun {
    public var specPaths: [String]
    /// A live database to read instead of building the spec (the spec, when given too, names the roles).
    public var database: String?
    /// The PostgreSQL binaries of the throwaway server (nil: `PG_BINDIR`, then `pg_config --bindir`).
    public var binDirectory: String?
    /// Run each failure's witness on the database (the default); off, a counterexample stays unconfirmed.
    public var confirm = true
    public var tenantColumn: String?
    public var appRoles: [String] = []
    public var solver = PredicateSolver()

    public init(specPaths: [String] = [], database: String? = nil, binDirectory: String? = nil) {
        self.specPaths = specPaths
        self.database = database
        self.binDirectory = binDirectory
    }

    /// Builds or reads the state, checks it, confirms the failures. Throws `ToolError` (exit 2) when the state
    /// cannot be had: a spec that does not apply, a server that does not start, a database that cannot be read.
    public func run() throws -> ProveReport {
        let spec = try specPaths.isEmpty ? nil : SpecFiles.load(specPaths)
        if let database {
            let catalog = try CatalogReader.read(try Connection(database))
            return check(catalog, spec: spec, conninfo: database, source: "database \(Self.label(database))", notes: [])
        }
        guard let spec else { throw ToolError("give the spec with --spec PATH, or a live database with --database") }
        let server = try LocalServer.start(binDirectory: binDirectory)
        let token = Interruption.onInterrupt { server.stop() }
        defer { Interruption.remove(token); server.stop() }
        try server.createDatabase("prove")
        let conninfo = server.connectionString(database: "prove")
        let connection = try Connection(conninfo)
        var notes: [String] = []
        let capabilities = ServerCapabilities(connection: connection)
        let adapted = try capabilities.adapt(spec, notes: &notes)
        let missing = try capabilities.missing(for: adapted)
        guard missing.isEmpty else {
            throw ToolError("this server cannot build the spec: " + missing.map { "\($0.name) is missing (\($0.remedy))" }.joined(separator: "; "))
        }
        let applied = try LiveDatabase(connection: connection).apply(adapted)
        notes.append("built \(specPaths.joined(separator: ", ")) in a scratch database: \(applied.statements.count + applied.indexStatements.count) statements")
        let catalog = try CatalogReader.read(connection)
        return check(catalog, spec: adapted, conninfo: conninfo, source: "spec \(specPaths.joined(separator: ", "))", notes: notes)
    }

    /// The obligations of `catalog`, each failure's witness run on `conninfo`.
    public func check(_ catalog: DatabaseCatalog, spec: Spec?, conninfo: String?, source: String, notes: [String]) -> ProveReport {
        let started = Date()
        let options = ProveOptions.make(spec: spec, catalog: catalog, tenantColumn: tenantColumn, appRoles: appRoles)
        let model = AccessModel(catalog: catalog, options: options)
        let obligations = ProofObligations.check(model: model, catalog: catalog, options: options, solver: solver)
        let solved = Date()
        let runner = conninfo.map { WitnessRunner(conninfo: $0) }
        let unconfirmable = confirm ? conninfo.flatMap(Self.whyNotConfirmable) : "--no-confirm"
        let proved = obligations.map { obligation -> ProvedObligation in
            guard case .fails = obligation.verdict else { return ProvedObligation(obligation: obligation) }
            guard unconfirmable == nil, let runner else { return ProvedObligation(obligation: obligation, note: unconfirmable ?? "no database") }
            switch ObligationWitness.make(obligation, model: model, catalog: catalog) {
            case .failure(let unrunnable): return ProvedObligation(obligation: obligation, note: unrunnable.reason)
            case .success(let planned):
                let run = runner.confirm(planned.witness, role: obligation.role, object: obligation.object, command: planned.command,
                                         pinned: planned.pinned, moving: planned.moving)
                var proved = ProvedObligation(obligation: obligation, run: run)
                proved.ran = planned.witness
                return proved
            }
        }
        var report = ProveReport(source: source, obligations: proved, notes: notes)
        report.solveMilliseconds = Int(solved.timeIntervalSince(started) * 1000)
        report.confirmMilliseconds = Int(Date().timeIntervalSince(solved) * 1000)
        report.roles = model.roles
        return report
    }

    /// Why no witness can run on `conninfo` (it must connect, as a superuser), nil when they can: then each
    /// failure stays a failure, its counterexample unconfirmed, rather than undecided.
    static func whyNotConfirmable(_ conninfo: String) -> String? {
        do {
            let connection = try Connection(conninfo)
            guard try connection.query("SELECT rolsuper FROM pg_catalog.pg_roles WHERE rolname = current_user").flag else {
                return "running a counterexample needs a superuser connection (it writes the row with foreign keys off, then rolls back)"
            }
            return nil
        } catch {
            return "cannot connect to run the counterexamples: \(error)"
        }
    }

    /// A connection string without its password, for the report (the project's one redaction).
    static func label(_ conninfo: String) -> String {
        Redaction.scrub(conninfo, secrets: Redaction.secrets(in: conninfo))
    }
}
