import ArgumentParser
import Deploy
import Tenantwall

/// Records a human decision: accept changed files' checksums and forget failed no-transaction runs.
struct Repair: ParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Accept the new checksum of changed files and remove failed records, after a human decision.",
        discussion: "Exit codes: 0 ok, 2 usage, connection or tool error, 3 the migration lock was not acquired within --lock-wait.")

    @OptionGroup var options: MigrationOptions
    @OptionGroup var connection: ConnectionOptions
    @OptionGroup var output: FormatOptions

    /// `repair --format json`: what was done, one sentence per file.
    struct Result: Encodable { var actions: [String] }

    func run() throws {
        options.noteChangedMeaning()
        let actions = try MigrationRunner(connection: try connection.connect(), settings: options.settings).repair(try options.files())
        if output.json { return try output.print(Result(actions: actions)) }
        if actions.isEmpty { print("nothing to repair") }
        for action in actions { print(action) }
    }
}
