import ArgumentParser
import Deploy
import Tenantwall

/// Records a human decision: accept changed files' checksums and forget failed no-transaction runs.
struct Repair: ParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Accept the new checksum of changed files and remove failed records, after a human decision.")

    @OptionGroup var options: MigrationOptions
    @OptionGroup var connection: ConnectionOptions

    func run() throws {
        let actions = try MigrationRunner(connection: try connection.connect(), settings: options.settings).repair(try options.files())
        if actions.isEmpty { print("nothing to repair") }
        for action in actions { print(action) }
    }
}
