import ArgumentParser
import Foundation
import Review
import Tenantwall

extension ReviewFormat: ExpressibleByArgument {}
extension ReviewThreshold: ExpressibleByArgument {}
/// A side that could not be built or read: exit 2 with its message (which side, which stage, SQLSTATE and
/// position), never a stack trace.
extension SideFailure: CommandFailure {}

/// `tenantwall review`: does a change let any role reach rows, columns or commands it could not before? Both
/// sides are built in scratch databases, their access models compared with the solver, every widening shown
/// with a witness that ran for real.
struct ReviewCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "review",
        abstract: "Compare what each role can reach before and after a change (two git refs, folders or databases).",
        discussion: """
            A side is a folder (its *.yaml spec and/or migrations/ folder), or else a git ref of the repository around the \
            current directory (the same paths at that ref, read with git archive: no checkout). Each side is built on a \
            throwaway server of its own (or in a scratch database on --server): the migrations, then the spec. \
            Exit codes: 0 nothing at or above --fail-on; 1 there is (unknown counts as widening); 2 could not run (a bad \
            ref, a side that failed to build). See docs/review.md.
            """)

    @Option(help: ArgumentHelp("The state before the change: a folder or a git ref.", valueName: "side"))
    var base: String?

    @Option(help: ArgumentHelp("The state after the change: a folder or a git ref.", valueName: "side"))
    var head: String?

    @Option(name: .long, help: ArgumentHelp("A spec file or folder, relative to each side (repeatable; default: the side's *.yaml).", valueName: "path"))
    var spec: [String] = []

    @Option(help: ArgumentHelp("The migrations folder, relative to each side (default: migrations/ where it exists).", valueName: "dir"))
    var migrations: String?

    @Option(help: ArgumentHelp("Read the base from this live database (read-only) instead of building it.", valueName: "conninfo"))
    var baseDatabase: String?

    @Option(help: ArgumentHelp("Read the head from this live database (read-only) instead of building it.", valueName: "conninfo"))
    var headDatabase: String?

    @Option(help: ArgumentHelp("Build both sides in scratch databases on this server instead of throwaway servers (the sides then share its roles).", valueName: "conninfo"))
    var server: String?

    @Option(help: "markdown (a pull request comment), json, sarif or text.")
    var format: ReviewFormat = .text

    @Option(help: "Exit 1 when a change is at or above this class: widening (default; unknown counts as widening), unknown, narrowing, any, none.")
    var failOn: ReviewThreshold = .widening

    @Option(help: ArgumentHelp("Write the report to this file instead of stdout.", valueName: "file"))
    var output: String?

    @Option(help: "Model only this role (repeatable; with the admin role). Default: every role that is neither a superuser nor pg_*.")
    var appRole: [String] = []

    @Option(help: "The tenant column (default: the spec's, or tenant_id).")
    var tenantColumn: String?

    @Option(help: "The admin role whose gate may open every tenant (default: the spec's, or inferred).")
    var adminRole: String?

    @OptionGroup var binaries: ServerBinaries

    func validate() throws {
        for (name, side, database) in [("base", base, baseDatabase), ("head", head, headDatabase)] {
            if side == nil && database == nil { throw ValidationError("give the \(name) side: --\(name) (a folder or a git ref) or --\(name)-database") }
            if side != nil && database != nil { throw ValidationError("give --\(name) or --\(name)-database, not both") }
        }
    }

    func run() throws {
        var review = ReviewRun(base: try SideSource.parse(base, database: baseDatabase), head: try SideSource.parse(head, database: headDatabase),
                               host: server.map { .server($0) } ?? .embedded(binDirectory: binaries.pgBindir))
        review.spec = spec
        review.migrations = migrations
        review.appRoles = appRole
        review.tenantColumn = tenantColumn
        review.adminRole = adminRole
        review.progress = Output.progress
        let summary = try review.run()
        let report = try format.render(summary, toolVersion: BuildInfo.version)
        if let output {
            do { try report.write(toFile: output, atomically: true, encoding: .utf8) } catch { throw ToolError("cannot write \(output): \(error.localizedDescription)") }
            Output.error("review: \(summary.verdict.rawValue) (\(summary.countsLine)); report written to \(output)")
        } else {
            print(report, terminator: "")
        }
        if failOn.fails(summary.changes) { throw ExitCode(ExitCodes.finding) }
    }
}
