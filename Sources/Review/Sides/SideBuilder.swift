import Catalog
import Deploy
import Foundation
import PolicyGen
import Postgres
import Tenantwall

/// Builds one side in an empty database, the way a deploy would: the migrations folder through the migration
/// runner, then the spec through plan/apply (`LiveDatabase.apply`). A live side is only read. Either way the
/// catalog is read with `CatalogReader`, so the access model is what PostgreSQL holds, not a reading of SQL text.
public struct SideBuilder {
    public var host: SideHost

    public init(host: SideHost) { self.host = host }

    /// Builds (or reads) `source` as the side called `name`. Throws `SideFailure`, naming the side and what
    /// failed (a migration's file, line and column, a statement's SQLSTATE and position), never anything else.
    public func build(_ name: String, source: SideSource, files: SideFiles?) throws -> BuiltSide {
        if case .database(let conninfo) = source {
            let started = Date()
            let catalog = try stage(name, source, files, "reading the live database") { try CatalogReader.read(try Connection(conninfo)) }
            let timings = SideTimings(serverStart: nil, build: 0, read: Self.milliseconds(since: started))
            return BuiltSide(name: name, source: source, files: nil, spec: nil, catalog: catalog, conninfo: conninfo,
                             timings: timings, notes: [], database: nil)
        }
        guard let files else { throw SideFailure(side: name, source: source, stage: "locating its files", underlying: ToolError("no files")) }
        let database = try stage(name, source, files, "starting its server") { try host.makeDatabase(side: name) }
        do {
            let connection = try Connection(database.conninfo)
            var notes: [String] = []
            let started = Date()
            var spec = try stage(name, source, files, "reading its spec") { try files.specPaths.isEmpty ? nil : SpecFiles.load(files.specPaths) }
            if let folder = files.migrations {
                let applied = try stage(name, source, files, "running its migrations") {
                    try MigrationRunner(connection: connection).migrate(try MigrationFolder.read(folder)).applied
                }
                notes.append("\(applied.count) migration(s) applied")
            }
            if let loaded = spec {
                spec = try stage(name, source, files, "applying its spec") {
                    let adapted = try ServerCapabilities(connection: connection).adapt(loaded, notes: &notes)
                    let plan = try LiveDatabase(connection: connection).apply(adapted)
                    notes.append("spec applied: \(plan.statements.count + plan.indexStatements.count) statement(s)")
                    return adapted
                }
            }
            let build = Self.milliseconds(since: started)
            let reading = Date()
            let catalog = try stage(name, source, files, "reading its catalog") { try CatalogReader.read(connection) }
            let timings = SideTimings(serverStart: database.startMilliseconds, build: build, read: Self.milliseconds(since: reading))
            return BuiltSide(name: name, source: source, files: files, spec: spec, catalog: catalog, conninfo: database.conninfo,
                             timings: timings, notes: notes, database: database)
        } catch {
            database.close()
            throw error
        }
    }

    /// Runs one stage of the build, turning any error into a `SideFailure` that says which side and stage.
    func stage<T>(_ name: String, _ source: SideSource, _ files: SideFiles?, _ what: String, _ body: () throws -> T) throws -> T {
        do {
            return try body()
        } catch let failure as SideFailure {
            throw failure
        } catch {
            var failure = SideFailure(side: name, source: source, revision: files?.revision, stage: what, underlying: error)
            if files?.temporary != nil { failure.extractedRoot = files?.root }
            throw failure
        }
    }

    static func milliseconds(since start: Date) -> Int { Int(Date().timeIntervalSince(start) * 1000) }
}

/// A side could not be built or read: which side, from where, at what stage, and the underlying error as it
/// reads (a migration's `file:line:column: message (SQLSTATE …)`, a statement's SQLSTATE and position, a
/// spec's diagnostics). The command exits 2 with it, never with a stack trace.
public struct SideFailure: Error, CustomStringConvertible {
    public var side: String
    public var source: SideSource
    public var revision: String?
    public var stage: String
    public var underlying: Error
    /// Where a git ref's files were extracted: left out of the message, so paths read as in the repository.
    public var extractedRoot: String?

    public init(side: String, source: SideSource, revision: String? = nil, stage: String, underlying: Error) {
        self.side = side
        self.source = source
        self.revision = revision
        self.stage = stage
        self.underlying = underlying
    }

    public var description: String {
        let at = revision.map { " at \($0.prefix(12))" } ?? ""
        var detail = String(describing: underlying)
        if detail.hasPrefix("ERROR: ") { detail.removeFirst("ERROR: ".count) }
        if let postgres = underlying as? PostgresError, postgres.sqlState == nil, postgres.position == nil { detail = postgres.message }
        if let root = extractedRoot { detail = detail.replacingOccurrences(of: root.hasSuffix("/") ? root : root + "/", with: "") }
        return "the \(side) side (\(source.label)\(at)) failed while \(stage): \(detail)"
    }
}
