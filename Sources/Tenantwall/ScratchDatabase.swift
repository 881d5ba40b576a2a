import Foundation
import PolicyGen
import Postgres
import Quoting

/// A database of a run's own (`verify --scratch`'s copy, the benchmark's dataset), dropped however the run
/// ends: normally, on an error, or on Ctrl-C/SIGTERM (a `defer` does not run when a signal ends the process,
/// so the drop is also registered with `Interruption`, on a connection of its own).
public final class ScratchDatabase {
    public struct Failure: Error, CustomStringConvertible {
        public var source: String
        public var message: String
        public var description: String { "cannot copy \(source) for --scratch: \(message) (a template database must have no other sessions)" }
    }

    public let name: String
    /// A connection string to the scratch database.
    public let conninfo: String
    let maintenance: String
    let cleanup: (Connection) -> Void
    var interruption: Int?
    var dropped = false

    init(name: String, from conninfo: String, cleanup: @escaping (Connection) -> Void) {
        self.name = name
        self.conninfo = ConnectionString.with(conninfo, [("dbname", name)])
        maintenance = ConnectionString.with(conninfo, [("dbname", "postgres")])
        self.cleanup = cleanup
        interruption = Interruption.onInterrupt { [maintenance] in Self.drop(name, maintenance: maintenance, cleanup: cleanup) }
    }

    /// An empty database on the server `conninfo` names; `cleanup` runs after the drop (the benchmark's roles,
    /// which belong to the whole cluster).
    ///
    /// On a Citus coordinator (a database with the extension and workers) the database is made on every node,
    /// with the extension, and the workers are registered in it: Citus does not propagate CREATE DATABASE, and
    /// keeps its node list per database.
    public static func empty(on conninfo: String, prefix: String, cleanup: @escaping (Connection) -> Void = { _ in }) throws -> ScratchDatabase {
        let name = "\(prefix)_\(UUID().uuidString.prefix(8).lowercased())"
        let admin = try Connection(conninfo)
        var workers: [(host: String, port: String)] = []
        var coordinator: (host: String, port: String)?
        if try admin.query("SELECT count(*) FROM pg_catalog.pg_extension WHERE extname = 'citus'").scalar == "1" {
            for row in try admin.query("SELECT nodename AS host, nodeport::text AS port, groupid = 0 AS coordinator FROM pg_dist_node WHERE noderole = 'primary' ORDER BY groupid").named {
                let node = (host: row["host"] ?? "", port: row["port"] ?? "")
                if row.bool("coordinator") { coordinator = node } else { workers.append(node) }
            }
        }
        try admin.execute("CREATE DATABASE \(SQL.ident(name))")
        let workerInfos = workers.map { ConnectionString.with(conninfo, [("host", $0.host), ("port", $0.port)]) }
        let dropOnWorkers: (Connection) -> Void = { _ in
            for info in workerInfos {
                _ = try? Connection(ConnectionString.with(info, [("dbname", "postgres")])).execute("DROP DATABASE IF EXISTS \(SQL.ident(name)) WITH (FORCE)")
            }
        }
        let scratch = ScratchDatabase(name: name, from: conninfo, cleanup: { dropOnWorkers($0); cleanup($0) })
        if !workers.isEmpty {
            for info in workerInfos {
                try Connection(ConnectionString.with(info, [("dbname", "postgres")])).execute("CREATE DATABASE \(SQL.ident(name))")
                try Connection(ConnectionString.with(info, [("dbname", name)])).execute("CREATE EXTENSION citus")
            }
            let db = try Connection(scratch.conninfo)
            try db.execute("CREATE EXTENSION citus")
            if let coordinator { try db.query("SELECT citus_set_coordinator_host($1, $2::int)", [coordinator.host, coordinator.port]) }
            for worker in workers { try db.query("SELECT citus_add_node($1, $2::int)", [worker.host, worker.port]) }
        }
        return scratch
    }

    /// A copy of the database `conninfo` names (`CREATE DATABASE … TEMPLATE`).
    ///
    /// PostgreSQL copies a database only while no other session is connected to it, and waits 5 s for others
    /// to leave. Two kinds of session do not leave on their own: TimescaleDB's job scheduler, which stays
    /// connected to every database with the extension (so it is stopped for the copy and started again
    /// afterwards), and a backend whose client has just disconnected, or a TimescaleDB worker checking a new
    /// database, which go within seconds (so the copy is tried again for a few seconds on 55006 "being
    /// accessed by other users").
    public static func copy(of conninfo: String, attempts: Int = 6) throws -> ScratchDatabase {
        let admin = try Connection(conninfo)
        let source = try admin.query("SELECT pg_catalog.current_database()").scalar ?? ""
        let name = "tenantwall_verify_\(UUID().uuidString.prefix(8).lowercased())"
        let timescale = try admin.query("SELECT count(*) FROM pg_catalog.pg_extension WHERE extname = 'timescaledb'").scalar == "1"
        if timescale { try admin.query("SELECT _timescaledb_functions.stop_background_workers()") }
        defer { if timescale { _ = try? admin.query("SELECT _timescaledb_functions.start_background_workers()") } }
        for attempt in 1...attempts {
            do {
                try admin.execute("CREATE DATABASE \(SQL.ident(name)) TEMPLATE \(SQL.ident(source))")
                return ScratchDatabase(name: name, from: conninfo, cleanup: { _ in })
            } catch let error as PostgresError where error.sqlState == "55006" && attempt < attempts {
                continue  // PostgreSQL itself waited 5 s for the other sessions; try again
            } catch let error as PostgresError {
                throw Failure(source: source, message: error.message)
            }
        }
        throw Failure(source: source, message: "other sessions stayed connected")
    }

    /// Leaves the database in place when the run ends normally (`bench --keep`); an interruption still drops it.
    public func keep() {
        dropped = true
    }

    /// Drops it now (idempotent), ending any session still connected to it.
    public func drop() {
        interruption.map(Interruption.remove)
        interruption = nil
        guard !dropped else { return }
        dropped = true
        Self.drop(name, maintenance: maintenance, cleanup: cleanup)
    }

    deinit { drop() }

    static func drop(_ name: String, maintenance: String, cleanup: (Connection) -> Void) {
        guard let admin = try? Connection(maintenance) else { return }
        _ = try? admin.execute("DROP DATABASE IF EXISTS \(SQL.ident(name)) WITH (FORCE)")
        cleanup(admin)
    }
}
