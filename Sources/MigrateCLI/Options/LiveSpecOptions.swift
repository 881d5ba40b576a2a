import ArgumentParser
import Deploy
import PolicyGen
import Tenantwall

/// What `plan` and `apply` share: a spec, a database, and PostgreSQL's lock_timeout for the plan's statements.
struct LiveSpecOptions: ParsableArguments {
    @OptionGroup var specOptions: SpecOptions
    @OptionGroup var connection: ConnectionOptions
    @OptionGroup var lockTimeout: LockTimeoutOption

    func validate() throws { try specOptions.require() }

    func load() throws -> (Spec, LiveDatabase) {
        (try specOptions.load(), try connection.liveDatabase(lockTimeout: lockTimeout.value(default: "5s")))
    }
}
