import ArgumentParser
import Foundation
import LocalPostgres
import PolicyGen
import Postgres
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

    @OptionGroup var binaries: ServerBinaries

    func run() throws {
        let models = try FileManager.default.contentsOfDirectory(atPath: policies).sorted()
            .map { (policies as NSString).appendingPathComponent($0) }
            .filter { var d: ObjCBool = false; return FileManager.default.fileExists(atPath: $0, isDirectory: &d) && d.boolValue }
        guard !models.isEmpty else { throw ToolError("no spec folders in \(policies)") }
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
        if failures > 0 { throw ExitCode(1) }
    }
}
