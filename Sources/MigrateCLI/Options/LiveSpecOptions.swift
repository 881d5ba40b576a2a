import ArgumentParser
import Deploy
import PolicyGen
import Tenantwall

/// What `plan` and `apply` share: a spec, a database, and how long to wait for table locks.
struct LiveSpecOptions: ParsableArguments {
    @OptionGroup var specOptions: SpecOptions
    @OptionGroup var connection: ConnectionOptions

    @Option(help: ArgumentHelp("How long to wait for a table lock before failing.", valueName: "duration"))
    var lockTimeout = "5s"

    func load() throws -> (Spec, LiveDatabase) {
        (try specOptions.load(), try connection.liveDatabase(lockTimeout: lockTimeout))
    }
}
