import ArgumentParser
import Foundation
import PolicyGen
import Tenantwall

/// Compares the spec with a live database and prints the SQL that would bring it in line.
struct Plan: ParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Print the SQL that brings a live database to the spec; exit 1 when there is any.",
        discussion: "Reads the catalog, runs the generated SQL in a transaction that is rolled back, and compares. Prints nothing and exits 0 when in sync.")

    @OptionGroup var options: LiveSpecOptions

    @Flag(help: "Show changed function bodies in full, not by name.")
    var verbose = false

    func run() throws {
        let (spec, database) = try options.load()
        let plan = try database.plan(spec)
        guard !plan.isEmpty else { return }
        print(plan.script(header: ["tenantwall plan for " + spec.files.joined(separator: ", ")], verbose: verbose), terminator: "")
        throw ExitCode(ExitCodes.finding)
    }
}
