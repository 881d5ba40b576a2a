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
    /// Runs a witness on one side's database: the witness runner (Sources/Review/Witness) once it is merged.
    public var runWitness: (_ witness: Witness, _ role: String, _ object: String, _ command: String, _ conninfo: String) -> WitnessRun
        = { _, _, _, _, _ in .couldNotRun("the witness runner is not part of this build") }

    public init(base: SideSource, head: SideSource, host: SideHost) {
        self.base = base
        self.head = head
        self.host = host
    }

    public func run() throws -> ReviewSummary {
        let started = Date()
        let files = try [("base", base), ("head", head)].map { try locate($0.0, $0.1) }
        defer { files.forEach { $0?.removeTemporary() } }
        progress("building both sides …")
        let builder = SideBuilder(host: host)
        let sides = try WorkerPool.map([("base", base, files[0]), ("head", head, files[1])], workers: 2) { _, side in
            try builder.build(side.0, source: side.1, files: side.2)
        }
        defer { sides.forEach { $0.close() } }
        let (baseSide, headSide) = (sides[0], sides[1])
        let settings = ReviewSettings.make(base: (baseSide.spec, baseSide.catalog), head: (headSide.spec, headSide.catalog),
                                           appRoles: appRoles, tenantColumn: tenantColumn, adminRole: adminRole)
        progress("comparing …")
        let comparison = ReviewComparison.compare(base: baseSide, head: headSide, settings: settings)
        var changes: [ReviewChange] = []
        for pending in comparison.changes {
            changes.append(confirm(pending, base: baseSide, head: headSide))
        }
        var notes = comparison.notes
        for side in sides { notes += side.notes.map { "\(side.name): \($0)" } }
        return ReviewSummary(base: describe(baseSide, settings), head: describe(headSide, settings), changes: changes, notes: notes,
                             totalMilliseconds: Int(Date().timeIntervalSince(started) * 1000), identical: comparison.identical)
    }

    /// A folder's or a git ref's files; nil for a live database.
    func locate(_ name: String, _ source: SideSource) throws -> SideFiles? {
        switch source {
        case .directory(let path): return try SideFiles.locate(root: path, spec: spec, migrations: migrations, describe: "the \(name) folder \(path)")
        case .gitRef(let ref): return try GitSnapshot.extract(ref: ref, spec: spec, migrations: migrations, directory: directory, describe: "the \(name) side")
        case .database: return nil
        }
    }

    /// A widening's witness run on both databases: confirmed when the head admits it and the base does not.
    /// Anything else makes it `unknown` with the reason (a live side is never written to, so its widenings stay
    /// widenings, unconfirmed).
    func confirm(_ pending: ReviewComparison.Pending, base: BuiltSide, head: BuiltSide) -> ReviewChange {
        var change = pending.change
        guard change.kind == .widening, let witness = pending.witness else { return change }
        guard base.isScratch && head.isScratch else {
            change.reason += (change.reason.isEmpty ? "" : "; ") + "witness not run: a live database is only read"
            return change
        }
        let outcome = WitnessRun.judge(head: runWitness(witness, change.role, change.object, change.command, head.conninfo),
                                       base: runWitness(witness, change.role, change.object, change.command, base.conninfo))
        switch outcome {
        case .confirmed:
            change.confirmed = true
        case .notConfirmed(let why):
            change.kind = .unknown
            change.confirmed = false
            change.reason += (change.reason.isEmpty ? "" : "; ") + why
        }
        return change
    }

    func describe(_ side: BuiltSide, _ settings: ReviewSettings) -> ReviewSummary.Side {
        let relations = AccessCounts.relations(side.catalog, settings: settings)
        let names = Set(relations.map(\.qualified))
        return ReviewSummary.Side(name: side.name, label: side.label, relations: relations.count,
                                  policies: side.catalog.policies.filter { names.contains($0.table) }.count,
                                  roles: AccessCounts.roles(side.catalog, settings: settings).count,
                                  entries: AccessCounts.count(side.catalog, settings: settings),
                                  serverStartMilliseconds: side.timings.serverStart, buildMilliseconds: side.timings.build,
                                  readMilliseconds: side.timings.read)
    }
}

/// One run of a witness on one side's database: whether the command admitted the witness row, or why it could
/// not run (a context value that cannot be set).
public enum WitnessRun: Sendable, Equatable {
    case admitted(Bool)
    case couldNotRun(String)

    enum Judgement: Equatable { case confirmed, notConfirmed(String) }

    /// A widening is confirmed when the head admits the witness and the base does not.
    static func judge(head: WitnessRun, base: WitnessRun) -> Judgement {
        switch (head, base) {
        case (.admitted(true), .admitted(false)): return .confirmed
        case (.couldNotRun(let why), _): return .notConfirmed("the witness could not run on the head: \(why)")
        case (_, .couldNotRun(let why)): return .notConfirmed("the witness could not run on the base: \(why)")
        case (.admitted(false), _): return .notConfirmed("the head's database did not admit the witness")
        default: return .notConfirmed("the base's database admits the witness too")
        }
    }
}
