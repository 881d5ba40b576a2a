import ArgumentParser
import Deploy
import Postgres
import Tenantwall

/// Where to connect, following libpq: `--database` takes a connection string or URL; without it,
/// `DATABASE_URL`, then libpq's `PG*` variables and `.pgpass` (sslmode and the rest as libpq reads them).
struct ConnectionOptions: ParsableArguments {
    @Option(name: [.customLong("database"), .customShort("d")], help: ArgumentHelp("libpq connection string or postgres:// URL (default: DATABASE_URL, then PG* variables).", valueName: "conninfo"))
    var database: String?

    func connect() throws -> Connection { try Connection(database) }

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
