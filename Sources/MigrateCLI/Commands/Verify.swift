import ArgumentParser
import Foundation
import LocalPostgres
import Migrations
import PolicyGen
import Postgres
import Tenantwall
import Verification

/// Tries to cross every wall on a live database and writes the evidence.
struct Verify: ParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Prove isolation on a live database: try to cross every wall, write JUnit, Markdown, HTML and JSON evidence.",
        discussion: """
            Connect as a superuser or a BYPASSRLS role that may SET ROLE to the spec's roles. Probe rows are written \
            in transactions that are always rolled back (or in a scratch copy with --scratch). \
            On Citus probe rows are committed and deleted at the end (or on Ctrl-C); each run first removes those \
            a killed or disconnected run left, and --cleanup removes them without running any check. \
            Exit codes: 0 every wall holds (--cleanup: done), 1 a check failed or a table could not be probed, 2 could not run.
            """)

    @OptionGroup var specOptions: SpecOptions
    @OptionGroup var connection: ConnectionOptions

    @Option(help: ArgumentHelp("Write report.xml (JUnit), report.md, report.html and report.json here.", valueName: "dir"))
    var reportDir: String?

    @Option(help: "How many probe tenants (at least 2).")
    var tenants = 3

    @Option(help: "How many connections probe tables at once.")
    var workers = 4

    @Flag(help: "Verify a scratch copy of the database (CREATE DATABASE … TEMPLATE), dropped afterwards.")
    var scratch = false

    @Flag(help: "Start a throwaway local PostgreSQL, apply the spec there, and verify it.")
    var embedded = false

    @OptionGroup var binaries: ServerBinaries

    @OptionGroup var output: FormatOptions

    @OptionGroup var secret: SecretOptions

    @Flag(help: "Print every check (id, what it tries, when it passes) as a Markdown table, or JSON with --format json, and exit.")
    var listChecks = false

    @Option(help: ArgumentHelp("Also probe through the application's pooler (a libpq connection string as the application logs in there): a context or admin mode committed by one client never reaches the next on the same server connection.", valueName: "conninfo"))
    var pooler: String?

    @Option(help: ArgumentHelp("Also write the table checks as a pgTAP script (run it with pg_prove; it rolls everything back).", valueName: "file"))
    var emitPgtap: String?

    @Flag(help: "Remove the probe rows that killed or disconnected verify runs left on Citus (from every node) without running any check, and exit 0.")
    var cleanup = false

    func validate() throws {
        if !listChecks && !cleanup { try specOptions.require() }
        if cleanup && (listChecks || embedded || scratch || pooler != nil || emitPgtap != nil || reportDir != nil) {
            throw ValidationError("--cleanup only removes leftover probe rows: drop --list-checks, --embedded, --scratch, --pooler, --emit-pgtap and --report-dir")
        }
        if tenants < 2 || tenants > 26 { throw ValidationError("--tenants takes 2 to 26") }
        if workers < 1 { throw ValidationError("--workers takes at least 1") }
        if embedded && (scratch || connection.database != nil) { throw ValidationError("--embedded starts its own server: drop --database and --scratch") }
    }

    func run() throws {
        if listChecks {
            if !output.json { return print(VerifyChecks.markdownTable(), terminator: "") }
            return try output.print(VerifyChecks.all.map { CheckListing(id: $0.id, tries: $0.tries, passesWhen: $0.passesWhen) })
        }
        if cleanup { return try removeLeftovers() }
        let files = try SpecFiles.read(specOptions.spec)
        let spec = try SpecLoader.load(files)
        let fingerprint = Checksum.sha256Hex(Array(files.map { $0.path + "\n" + $0.text }.joined(separator: "\n").utf8))
        var settings = Verifier.Settings()
        settings.tenants = tenants
        settings.workers = workers
        settings.secret = try secret.secret()
        settings.pooler = pooler
        if emitPgtap != nil { settings.writePgTAP(for: spec) }

        var server: LocalServer?
        defer { server?.stop() }
        var run = VerifyRun(spec: spec, conninfo: connection.conninfo())
        run.settings = settings
        run.specFingerprint = fingerprint
        run.progress = Output.progress
        run.notice = Output.notice
        if embedded {
            Output.progress("starting a throwaway PostgreSQL …")
            let local = try EmbeddedServer.start(binDirectory: binaries.pgBindir)
            server = local
            try local.createDatabase("verify")
            run.conninfo = local.connectionString(database: "verify")
            run.target = .applied
        } else if scratch {
            run.target = .scratchCopy
        }
        let report = try run.run()
        if let reportDir { try write(report, to: reportDir) }
        if let emitPgtap {
            try PgTAPScript.render(report, spec: specOptions.spec.joined(separator: ", ")).write(toFile: emitPgtap, atomically: true, encoding: .utf8)
            Output.progress("wrote \(emitPgtap) (pg_prove -d DATABASE \(emitPgtap))")
        }
        switch output.format {
        case .json: try output.print(report)
        case .text:
            print("\(report.checks.count) checks in \(report.durationMilliseconds) ms: \(report.passedCount) passed, \(report.failed.count) failed, \(report.notProbed.count) not probed")
            for check in report.notProbed {
                print("NOT PROBED \(check.table): \(check.actual)\n  \(check.sql)")
            }
            for check in report.failed {
                print("FAIL \(check.table) \(check.id) as \(check.role) (tenant \(check.tenant)): \(check.title): expected \(check.expected), got \(check.actual)")
            }
            print(!report.failed.isEmpty ? "walls broken" : !report.notProbed.isEmpty ? "walls unproven: \(report.notProbed.count) table(s) could not be probed" : "every wall holds")
        }
        // A table nobody could probe is not a wall that holds: the pipeline stops as for a failure.
        if !report.holds { throw ExitCode(ExitCodes.finding) }
    }

    /// `--cleanup`: what killed runs left, removed, and said as text or JSON.
    func removeLeftovers() throws {
        let removed = try Verifier.removeLeftovers(conninfo: connection.conninfo())
        let total = removed.map(\.rows).reduce(0, +)
        switch output.format {
        case .json: try output.print(removed.map { RemovedRows(run: $0.run, table: $0.table, rows: $0.rows) })
        case .text: print(removed.isEmpty ? "no probe rows left behind" : "removed \(total) probe rows left behind: \(Verifier.describe(removed))")
        }
    }

    /// One table's removed probe rows in `--cleanup --format json`.
    struct RemovedRows: Encodable {
        var run, table: String
        var rows: Int
    }

    /// One check of `--list-checks --format json`.
    struct CheckListing: Encodable {
        var id, tries, passesWhen: String
        enum CodingKeys: String, CodingKey { case id, tries, passesWhen = "passes_when" }
    }

    func write(_ report: VerifyReport, to dir: String) throws {
        try FileManager.default.createDirectory(atPath: dir, withIntermediateDirectories: true)
        for (name, text) in [("report.xml", JUnitReport.render(report)), ("report.md", MarkdownReport.render(report)),
                             ("report.html", HTMLReport.render(report)), ("report.json", JSONReport.render(report))] {
            try text.write(toFile: (dir as NSString).appendingPathComponent(name), atomically: true, encoding: .utf8)
        }
    }
}
