import Catalog
import Foundation
import Proof
import Tenantwall

/// `tenantwall review` without its command line: both sides located (a folder, a git ref's files, a live
/// database), built at once on their own scratch databases, read, compared, and every widening's witness run on
/// the two databases before anything is reported.
///
///     var review = ReviewRun(base: .gitRef("main"), head: .directory("."), host: .embedded(binDirectory: nil))
///     let summary = try review.run()
///     print(TextReviewReport.render(summary))
public struct ReviewRun {
    public var base: SideSource
    public var head: SideSource
    /// `--spec` paths and `--migrations` folder, relative to each side's folder (a git ref: to the current
    /// directory at that ref).
    public var spec: [String] = []
    public var migrations: String?
    public var host: SideHost
    public var appRoles: [String] = []
    public var tenantColumn: String?
    public var adminRole: String?
    /// The directory git refs are resolved from (the repository around it).
    public var directory = FileManager.default.currentDirectoryPath
    /// Progress for a terminal (stderr).
    public var progress: (String) -> Void = { _ in }
    /// Per solver check.
    public var solverTimeoutMilliseconds = 2_000

    public init(base: SideSource, head: SideSource, host: SideHost) {
        self.base = base
        self.head = head
        self.host = host
    }

    public func run() throws -> ReviewSummary {
        let started = Date()
        var files: [SideFiles?] = []
        defer { files.forEach { $0?.removeTemporary() } }  // the first ref's files too when the second fails
        for (name, source) in [("base", base), ("head", head)] { files.append(try locate(name, source)) }
        progress("building both sides …")
        let builder = SideBuilder(host: host)
        // At once on servers of their own; one after the other on a shared server, whose roles both sides create.
        let workers: Int
        if case .server = host { workers = 1 } else { workers = 2 }
        let sides = try WorkerPool.map([("base", base, files[0]), ("head", head, files[1])], workers: workers) { _, side in
            try builder.build(side.0, source: side.1, files: side.2)
        }
        defer { sides.forEach { $0.close() } }
        let (baseSide, headSide) = (sides[0], sides[1])
        let settings = ReviewSettings.make(base: (baseSide.spec, baseSide.catalog), head: (headSide.spec, headSide.catalog),
                                           appRoles: appRoles, tenantColumn: tenantColumn, adminRole: adminRole)
        progress("comparing …")
        let comparing = Date()
        let models = ReviewComparison(base: baseSide, head: headSide, options: settings.accessOptions)
        let solver = PredicateSolver(timeoutMilliseconds: solverTimeoutMilliseconds)
        let compared = models.compare(base: baseSide, head: headSide, solver: solver)
        let witnesses = WitnessPair(base: baseSide, head: headSide, models: models, solver: solver)
        if compared.changes.contains(where: { $0.witness != nil }) { progress("running the witnesses …") }
        let compareMilliseconds = Int(Date().timeIntervalSince(comparing) * 1000), witnessing = Date()
        // Two at a time: each run is a transaction of its own on one side's database, rolled back.
        let changes = try WorkerPool.map(compared.changes, workers: 2) { _, pending in witnesses.confirm(pending) }
        let witnessMilliseconds = Int(Date().timeIntervalSince(witnessing) * 1000)
        var notes: [String] = []
        for side in sides { notes += side.notes.map { "\(side.name): \($0)" } }
        var summary = ReviewSummary(base: describe(baseSide, models.base), head: describe(headSide, models.head), changes: changes, notes: notes,
                                    totalMilliseconds: Int(Date().timeIntervalSince(started) * 1000), identical: compared.identical)
        summary.compareMilliseconds = compareMilliseconds
        summary.witnessMilliseconds = witnessMilliseconds
        return summary
    }

    /// A folder's or a git ref's files; nil for a live database.
    func locate(_ name: String, _ source: SideSource) throws -> SideFiles? {
        switch source {
        case .directory(let path): return try SideFiles.locate(root: path, spec: spec, migrations: migrations, describe: "the \(name) folder \(path)")
        case .gitRef(let ref): return try GitSnapshot.extract(ref: ref, spec: spec, migrations: migrations, directory: directory, describe: "the \(name) side")
        case .database: return nil
        }
    }

    func describe(_ side: BuiltSide, _ model: AccessModel) -> ReviewSummary.Side {
        let objects = Set(model.objects)
        return ReviewSummary.Side(name: side.name, label: side.label, relations: objects.count,
                                  policies: side.catalog.policies.filter { objects.contains($0.table) }.count,
                                  roles: model.roles.count, entries: ReviewComparison.counts(model),
                                  serverStartMilliseconds: side.timings.serverStart, buildMilliseconds: side.timings.build,
                                  readMilliseconds: side.timings.read)
    }
}
