import ArgumentParser
import Deploy
import Migrations
import Tenantwall

/// Adopts a database whose schema already exists: versions up to VERSION count as applied.
struct Baseline: ParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Adopt an existing database: record VERSION as applied, so only later files run.")

    @Argument(help: "The version the existing schema corresponds to.")
    var version: String

    @OptionGroup var options: MigrationOptions
    @OptionGroup var connection: ConnectionOptions

    func validate() throws {
        if Version(version) == nil { throw ValidationError("VERSION must look like 3 or 2.1, not '\(version)'") }
    }

    func run() throws {
        try MigrationRunner(connection: try connection.connect(), settings: options.settings).baseline(Version(version)!)
        print("baselined at version \(version)")
    }
}
