import ArgumentParser
import Foundation
import PolicyGen
import Tenantwall

/// Runs the plan in one transaction. For development databases; deploys use versioned migrations.
struct Apply: ParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Bring a live database to the spec in one transaction (development; deploys use migrations).")

    @OptionGroup var specOptions: SpecOptions
    @OptionGroup var connection: ConnectionOptions

    @Option(help: ArgumentHelp("How long to wait for a table lock before failing.", valueName: "duration"))
    var lockTimeout = "5s"

    func run() throws {
        let spec = try specOptions.load()
        let plan = try connection.liveDatabase(lockTimeout: lockTimeout).apply(spec)
        if plan.isEmpty {
            print("in sync: nothing to apply")
        } else {
            print("applied \(plan.statements.count) statements for \(plan.differences.count) differences:")
            for difference in plan.differences { print("  \(difference.object)") }
        }
    }
}
