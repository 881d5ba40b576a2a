import ArgumentParser
import Migrations

/// `--lock-timeout`: PostgreSQL's `lock_timeout` for the statements a command runs, that is how long one
/// statement waits for a table lock before it fails with 55P03 instead of queueing every later query on the
/// table behind it. It means that in every command that takes it (`plan`, `apply`, `migrate` and the other
/// migration commands); how long `migrate` waits for another runner's migration lock is `--lock-wait`.
///
/// In 0.2.0 and earlier `migrate --lock-timeout` was an old name of `--lock-wait` (docs/migrations.md, "Lock
/// timeouts"): `MigrationOptions` says so on stderr when a run gives `--lock-timeout` without `--lock-wait`.
struct LockTimeoutOption: ParsableArguments {
    @Option(name: .customLong("lock-timeout"), help: ArgumentHelp(
        "PostgreSQL's lock_timeout: how long a statement waits for a table lock before failing.",
        discussion: "Default: 5s in plan and apply; 10s for each migration in migrate, where a file's -- tenantwall:lock-timeout= wins. In 0.2.0 and earlier migrate's --lock-timeout used to be the wait for another runner's lock, now --lock-wait.",
        valueName: "duration"))
    var lockTimeout: String?

    func validate() throws {
        if let lockTimeout { try Durations.require(lockTimeout, flag: "--lock-timeout") }
    }

    /// The timeout given, else the command's default.
    func value(default fallback: String) -> String { lockTimeout ?? fallback }
}
