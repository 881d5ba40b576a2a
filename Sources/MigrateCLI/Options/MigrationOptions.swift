import ArgumentParser
import Deploy
import Foundation
import Migrations
import Tenantwall

/// Options shared by `migrate`, `status`, `baseline` and `repair`: the folder, and the runner's waits and
/// timeouts, one meaning per flag (docs/migrations.md, "Lock timeouts").
struct MigrationOptions: ParsableArguments {
    @Option(help: ArgumentHelp("Folder of V<version>__<name>.sql and R__<name>.sql files.", valueName: "dir"))
    var migrations = "migrations"

    /// How long the runner waits for another runner's advisory lock; running out exits 3.
    @Option(help: ArgumentHelp("How long to wait for another runner's migration lock before exiting 3 (e.g. 30s, 2min; default 60s).", valueName: "duration"))
    var lockWait: String?

    @OptionGroup var lockTimeout: LockTimeoutOption

    /// The name `--lock-timeout` had here before it meant the same in every command; still read.
    @Option(help: ArgumentHelp("Deprecated: the same as --lock-timeout.", valueName: "duration"))
    var migrationLockTimeout: String?

    @Option(help: ArgumentHelp("statement_timeout for every migration, unless the file says otherwise.", valueName: "duration"))
    var statementTimeout = "30min"

    @Option(help: ArgumentHelp("Try a file (or a no-transaction file's statement) again this many times when it fails with 55P03 lock_not_available, with exponential backoff and jitter; nothing else is retried.", valueName: "n"))
    var lockRetries = 0

    func validate() throws {
        if !(0...100).contains(lockRetries) { throw ValidationError("--lock-retries takes 0 to 100, not \(lockRetries)") }
        for (name, value) in [("--lock-wait", lockWait), ("--migration-lock-timeout", migrationLockTimeout), ("--statement-timeout", statementTimeout)] {
            if let value { try Durations.require(value, flag: name) }
        }
        if let old = migrationLockTimeout, let new = lockTimeout.lockTimeout, old != new {
            throw ValidationError("--migration-lock-timeout is the old name of --lock-timeout: give one of them")
        }
    }

    var settings: MigrationRunner.Settings {
        var settings = MigrationRunner.Settings()
        settings.lockWait = Durations.seconds(lockWait ?? "60s")
        settings.lockTimeout = lockTimeout.value(default: migrationLockTimeout ?? "10s")
        settings.statementTimeout = statementTimeout
        settings.lockRetries = lockRetries
        settings.log = { FileHandle.standardError.write(Data(("tenantwall: " + $0 + "\n").utf8)) }
        return settings
    }

    /// Said on stderr while pipelines written for the old meaning may still pass `--lock-timeout` as the wait
    /// for the migration lock; a run that also gives `--lock-wait` already uses the new names.
    func noteChangedMeaning() {
        guard let value = lockTimeout.lockTimeout, lockWait == nil else { return }
        Output.error("note: --lock-timeout \(value) is each migration's lock_timeout; the wait for another runner's migration lock is --lock-wait (default 60s), which --lock-timeout meant in 0.2.0 and earlier")
    }

    func files() throws -> [MigrationFile] { try MigrationFolder.read(migrations) }
}
