import ArgumentParser
import Deploy
import Migrations
import Tenantwall

/// Adopts a database whose schema already exists: versions up to VERSION count as applied.
struct Baseline: ParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Adopt an existing database: record VERSION as applied, so only later files run.",
        discussion: "Exit codes: 0 ok, 2 usage, connection or tool error (a history that is not empty), 3 the migration lock was not acquired within --lock-wait.")

    @Argument(help: "The version the existing schema corresponds to.")
    var version: String

    @OptionGroup var options: MigrationOptions
    @OptionGroup var connection: ConnectionOptions
    @OptionGroup var output: FormatOptions

    /// `baseline --format json`.
    struct Result: Encodable { var baselined: String }

    func validate() throws {
        if Version(version) == nil { throw ValidationError("VERSION must look like 3 or 2.1, not '\(version)'") }
    }

    func run() throws {
        options.noteChangedMeaning()
        try MigrationRunner(connection: try connection.connect(), settings: options.settings).baseline(Version(version)!)
        if output.json { try output.print(Result(baselined: version)) } else { print("baselined at version \(version)") }
    }
}
