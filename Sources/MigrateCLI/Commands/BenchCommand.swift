import ArgumentParser
import Foundation
import LocalPostgres
import Postgres
import Tenantwall
import TenantwallBench

/// Measures what row-level security costs on a real server, against a hand-written baseline.
struct BenchCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "bench",
        abstract: "Measure RLS overhead: generated policies and a common hand-written style against a bypassing baseline, with plan checks.",
        discussion: """
            Builds a scratch database from --spec (or a built-in dataset) and drops it with its roles afterwards \
            unless --keep, also on Ctrl-C. Exit codes: 0 ok, 1 a plan check failed or overhead exceeded \
            --max-overhead, 2 could not run, 130/143 interrupted (after cleaning up).
            """)

    @OptionGroup var connection: ConnectionOptions

    @Option(help: ArgumentHelp("Benchmark this spec (a file or a directory of *.yaml; repeatable) instead of the built-in dataset.", valueName: "path"))
    var spec: [String] = []

    @Flag(help: "Start a throwaway local PostgreSQL for the run.")
    var embedded = false

    @OptionGroup var binaries: ServerBinaries

    @Option(help: "Rows in the dataset.")
    var rows = 1_000_000

    @Option(help: "Tenants (sizes skewed: a few large, many small).")
    var tenants = 100

    @Option(help: "Concurrent clients (more than the machine's cores measures the scheduler, not the policies).")
    var clients = 2

    @Option(help: "Seconds per mode per round.")
    var seconds = 2.0

    @Option(help: "Interleaved rounds.")
    var rounds = 7

    @Option(help: "Fail when the generated policies cost more than this percentage (server CPU per operation when the server is local, else throughput) on any workload PostgreSQL does not limit.")
    var maxOverhead: Double?

    @Option(help: ArgumentHelp("Write report.html, report.md and report.json here.", valueName: "dir"))
    var reportDir: String?

    @Option(help: "Only these workloads (repeatable): point, range, aggregate, insert, insert-batch, update, like, end-to-end; on a hypertable, hypertable-point, hypertable-range, hypertable-bucket (its RLS and walled forms, compressed and not; run by default when the spec compresses it).")
    var workload: [String] = []

    @Flag(help: "Keep the scratch database and print its name.")
    var keep = false

    func validate() throws {
        if rows < tenants * 4 { throw ValidationError("--rows must be at least 4 per tenant") }
        if rounds < 1 || clients < 1 || seconds <= 0 { throw ValidationError("--rounds, --clients and --seconds must be positive") }
        let names = Workload.names + HypertableWorkloads.names
        for w in workload where !names.contains(w) { throw ValidationError("unknown workload '\(w)' (\(names.joined(separator: ", ")))") }
        if embedded && connection.database != nil { throw ValidationError("--embedded starts its own server: drop --database") }
    }

    func run() throws {
        let loaded = spec.isEmpty ? nil : try SpecFiles.load(spec)
        var server: LocalServer?
        defer { if !keep { server?.stop() } }
        var conninfo = ConnectionString.resolve(connection.database, environment: ProcessEnvironment.current)
        if embedded {
            Output.progress("starting a throwaway PostgreSQL …")
            let local = try EmbeddedServer.start(binDirectory: binaries.pgBindir, extraSettings: ["fsync": "on", "synchronous_commit": "on", "shared_buffers": "512MB"])
            server = local
            conninfo = local.connectionString()
        }
        var bench = Bench(conninfo: conninfo, spec: loaded, specLabel: spec.joined(separator: ", "), progress: Output.progress)
        bench.rows = rows
        bench.tenants = tenants
        bench.runner.clients = clients
        bench.runner.seconds = seconds
        bench.runner.rounds = rounds
        bench.keep = keep
        bench.maxOverhead = maxOverhead
        bench.only = workload
        let (report, scratch) = try bench.run()
        if let reportDir {
            try FileManager.default.createDirectory(atPath: reportDir, withIntermediateDirectories: true)
            for (name, text) in [("report.html", BenchRenderers.html(report)), ("report.md", BenchRenderers.markdown(report)), ("report.json", BenchRenderers.json(report))] {
                try text.write(toFile: (reportDir as NSString).appendingPathComponent(name), atomically: true, encoding: .utf8)
            }
        }
        print(BenchRenderers.markdown(report), terminator: "")
        if let scratch { print("\nkept scratch database \(scratch)") }
        if !report.failures.isEmpty { throw ExitCode(ExitCodes.finding) }
    }
}
