import ArgumentParser
import Deploy
import Foundation
import Migrations
import Tenantwall

enum OutputFormat: String, ExpressibleByArgument, CaseIterable {
    case text, json
}

/// Options shared by `migrate`, `status`, `baseline` and `repair`.
struct MigrationOptions: ParsableArguments {
    @Option(help: ArgumentHelp("Folder of V<version>__<name>.sql and R__<name>.sql files.", valueName: "dir"))
    var migrations = "migrations"

    @Option(help: "Output: text for people, json for machines.")
    var format: OutputFormat = .text

    /// Not `--lock-timeout`, which in `plan` and `apply` is PostgreSQL's lock_timeout: this is how long the
    /// runner waits for another runner. The old name still works.
    @Option(name: [.customLong("lock-wait"), .customLong("lock-timeout")],
            help: ArgumentHelp("How long to wait for another runner's migration lock (e.g. 30s, 2min); --lock-timeout is the old name.", valueName: "duration"))
    var lockWait = "60s"

    @Option(help: ArgumentHelp("lock_timeout for every migration, unless the file says otherwise.", valueName: "duration"))
    var migrationLockTimeout = "10s"

    @Option(help: ArgumentHelp("statement_timeout for every migration, unless the file says otherwise.", valueName: "duration"))
    var statementTimeout = "30min"

    @Option(help: ArgumentHelp("Try a file (or a no-transaction file's statement) again this many times when it fails with 55P03 lock_not_available, with exponential backoff and jitter; nothing else is retried.", valueName: "n"))
    var lockRetries = 0

    func validate() throws {
        if !(0...100).contains(lockRetries) { throw ValidationError("--lock-retries takes 0 to 100, not \(lockRetries)") }
        for (name, value) in [("--lock-wait", lockWait), ("--migration-lock-timeout", migrationLockTimeout), ("--statement-timeout", statementTimeout)] {
            if !Directives.isDuration(value) { throw ValidationError("\(name) takes a duration such as 500ms, 10s, 5min or 1h, not '\(value)'") }
        }
    }

    var settings: MigrationRunner.Settings {
        var settings = MigrationRunner.Settings()
        settings.lockWait = Self.seconds(lockWait)
        settings.lockTimeout = migrationLockTimeout
        settings.statementTimeout = statementTimeout
        settings.lockRetries = lockRetries
        settings.log = { FileHandle.standardError.write(Data(("tenantwall: " + $0 + "\n").utf8)) }
        return settings
    }

    func files() throws -> [MigrationFile] { try MigrationFolder.read(migrations) }

    /// Seconds of a duration the options validated (`Directives.isDuration`).
    static func seconds(_ duration: String) -> TimeInterval { Directives.seconds(duration) ?? 0 }

    func printJSON<T: Encodable>(_ value: T) {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.prettyPrinted, .sortedKeys]
        if let data = try? encoder.encode(value), let text = String(data: data, encoding: .utf8) { print(text) }
    }
}
