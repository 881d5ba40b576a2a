import ArgumentParser
import Foundation
import PolicyGen
import Tenantwall

/// Runs the plan in one transaction. For development databases; deploys use versioned migrations.
struct Apply: ParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Bring a live database to the spec in one transaction (development; deploys use migrations).")

    @OptionGroup var options: LiveSpecOptions

    func run() throws {
        let (spec, database) = try options.load()
        let plan = try database.apply(spec)
        if plan.isEmpty {
            print("in sync: nothing to apply")
        } else {
            print("applied \(plan.statements.count) statements for \(plan.differences.count) differences:")
            for difference in plan.differences { print("  \(difference.object)") }
        }
    }
}
