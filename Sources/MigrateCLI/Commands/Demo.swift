import ArgumentParser
import Demo
import Foundation
import LocalPostgres
import PolicyGen
import Tenantwall

/// The main job on the embedded default: starts a throwaway PostgreSQL, then for every example spec
/// generates the SQL, applies it, checks that a second plan is empty, and runs a short isolation check.
struct Demo: ParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Start a throwaway local PostgreSQL and generate, apply and check every spec in policies/.")

    @Option(help: "Folder of example specs (each subfolder is one model).")
    var policies = "policies"

    @Flag(help: "Leave the server running and print how to connect.")
    var keep = false

    @Flag(help: "Run the Citus examples (distribution: citus) on a throwaway cluster: a coordinator and two workers (needs Citus installed).")
    var citus = false

    @OptionGroup var binaries: ServerBinaries

    func run() throws {
        let models = try FileManager.default.contentsOfDirectory(atPath: policies).sorted()
            .map { (policies as NSString).appendingPathComponent($0) }
            .filter { var d: ObjCBool = false; return FileManager.default.fileExists(atPath: $0, isDirectory: &d) && d.boolValue }
        guard !models.isEmpty else { throw ToolError("no spec folders in \(policies)") }
        if citus { return try runOnCluster(models) }
        print("starting a throwaway PostgreSQL …")
        let server = try EmbeddedServer.start(binDirectory: binaries.pgBindir)
        defer { if !keep { server.stop() } }
        print("PostgreSQL \(try server.version())")
        var failures = 0, skipped: [String] = []
        for (index, model) in models.enumerated() {
            let name = (model as NSString).lastPathComponent
            let database = "demo_\(index)"
            try server.createDatabase(database)
            let report = try DemoRun(conninfo: server.connectionString(database: database), specPath: model).run()
            print("\n== \(name) (database \(database))")
            for line in report.lines { print("   " + line) }
            failures += report.failures
            if report.skipped { skipped.append(name) }
        }
        if keep { print("\nserver left running: psql \"\(server.connectionString(database: "demo_0"))\"") }
        print(failures == 0 ? "\nall walls hold" + (skipped.isEmpty ? "" : " (skipped: \(skipped.joined(separator: ", ")); see above)") : "\n\(failures) check(s) failed")
        if failures > 0 { throw ExitCode(ExitCodes.finding) }
    }

    /// The examples with `distribution: citus`, each in a database of its own on a throwaway cluster.
    func runOnCluster(_ models: [String]) throws {
        let specs = try models.map { ($0, try SpecFiles.load([$0])) }.filter { $0.1.tenancy.citus }
        guard !specs.isEmpty else { throw ToolError("no spec in \(policies) has distribution: citus") }
        guard LocalCluster.available(binDirectory: binaries.pgBindir) else {
            throw ToolError("Citus is not installed for this server: build citusdata/citus from source: v13.0.5 for PostgreSQL 15, v14.0.1 for 16 to 18 (docs/install.md)")
        }
        print("starting a throwaway Citus cluster (a coordinator and two workers) …")
        let roles = uniqued(specs.flatMap { [$0.1.roles.owner] + $0.1.roles.accessRoles })
        let cluster = try LocalCluster.start(binDirectory: binaries.pgBindir, roles: roles)
        _ = Interruption.onInterrupt { cluster.stop() }
        defer { if !keep { cluster.stop() } }
        var failures = 0
        for (index, (model, _)) in specs.enumerated() {
            let database = "demo_citus_\(index)"
            try cluster.createDatabase(database)
            let report = try DemoRun(conninfo: cluster.connectionString(database: database), specPath: model).run()
            print("\n== \((model as NSString).lastPathComponent) on Citus (database \(database), \(cluster.workers.count) workers)")
            for line in report.lines { print("   " + line) }
            failures += report.failures
        }
        if keep { print("\ncluster left running: psql \"\(cluster.connectionString(database: "demo_citus_0"))\"") }
        print(failures == 0 ? "\nall walls hold on every shard" : "\n\(failures) check(s) failed")
        if failures > 0 { throw ExitCode(ExitCodes.finding) }
    }
}
