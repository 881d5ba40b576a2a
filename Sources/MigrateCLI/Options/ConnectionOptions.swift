import ArgumentParser
import Deploy
import Postgres
import Tenantwall

/// Where to connect, declared once for every command: `--database`/`-d` takes a libpq connection string or a
/// URL. Commands that always need a server follow libpq when it is absent: `DATABASE_URL`, then libpq's `PG*`
/// variables and `.pgpass`, as `psql` would. Commands for which a server is optional (`check`, `generate`,
/// `audit`) use one only when `--database` is given, so that a `DATABASE_URL` set for a pipeline's other steps
/// does not change what they check.
struct ConnectionOptions: ParsableArguments {
    @Option(name: [.customLong("database"), .customShort("d")], help: ArgumentHelp(
        "libpq connection string or postgres:// URL.",
        discussion: "Default: DATABASE_URL, then PG* variables and .pgpass, for commands that need a server; check, generate and audit use a server only when it is given.",
        valueName: "conninfo"))
    var database: String?

    func connect() throws -> Connection { try Connection(database) }

    /// A connection when `--database` was given, for commands whose server is optional.
    func connectIfGiven() throws -> Connection? { try database.map { try Connection($0) } }

    /// The connection string a command passes on (to workers, scratch copies): `--database`, else
    /// `DATABASE_URL`, else empty, so that libpq reads `PG*` and `.pgpass` itself.
    func conninfo() -> String { ConnectionString.resolve(database, environment: ProcessEnvironment.current) }

    /// The connected database, with this run's lock timeout.
    func liveDatabase(lockTimeout: String) throws -> LiveDatabase {
        var database = LiveDatabase(connection: try connect())
        database.lockTimeout = lockTimeout
        return database
    }
}
