import Foundation
import Postgres
import Quoting

/// A throwaway Citus cluster: a coordinator and workers, each a `LocalServer` on its own Unix socket, with
/// Citus preloaded and logical replication on (shard moves need it).
///
/// The coordinator reaches the workers as each session's role, so the application's roles must be able to log
/// in there, and only from the coordinator. On one machine the workers tell the two apart by OS user: the
/// coordinator's backends run as `postgres`, which may log in as the cluster's roles (`peer` authentication
/// with a user map); any other OS user may log in as the superuser only. The same holds on a real cluster
/// with `hostssl … <coordinator address>` lines in the workers' pg_hba.conf.
public final class LocalCluster {
    public let coordinator: LocalServer
    public let workers: [LocalServer]

    /// Whether Citus is installed for the server binaries `binDirectory` (or the default ones) belong to.
    public static func available(binDirectory: String? = nil) -> Bool {
        guard let bin = try? binDirectory ?? LocalServer.findBinDirectory() else { return false }
        let lib = ((bin as NSString).deletingLastPathComponent as NSString).appendingPathComponent("lib/citus.so")
        return FileManager.default.fileExists(atPath: lib)
    }

    /// Starts a coordinator and `workers` workers. `roles` are the roles the coordinator may log in to the
    /// workers as (the spec's owner and access roles).
    public static func start(workers count: Int = 2, binDirectory: String? = nil, roles: [String]) throws -> LocalCluster {
        var settings = [
            "shared_preload_libraries": "'citus'", "wal_level": "logical", "max_replication_slots": "16", "max_wal_senders": "16",
            "citus.node_conninfo": "'sslmode=disable'", "max_worker_processes": "32",
            // PostgreSQL 15.19+ lets only listed libraries serve as logical decoding output plugins; Citus's shard
            // moves decode with its own. Servers without the setting refuse it, and start without.
            "output_plugin_libraries": "'pgoutput, test_decoding, citus'",
        ]
        let coordinator: LocalServer
        do {
            coordinator = try LocalServer.start(binDirectory: binDirectory, extraSettings: settings)
        } catch let error as LocalServerError where error.message.contains("output_plugin_libraries") {
            settings.removeValue(forKey: "output_plugin_libraries")
            coordinator = try LocalServer.start(binDirectory: binDirectory, extraSettings: settings)
        }
        let serverUser = geteuid() == 0 ? "postgres" : NSUserName()
        let me = NSUserName()
        var ident = ["cluster \(serverUser) postgres"] + roles.map { "cluster \(serverUser) \($0)" }
        if me != serverUser { ident.append("cluster \(me) postgres") }
        var workers: [LocalServer] = []
        do {
            for _ in 0..<count {
                workers.append(try LocalServer.start(binDirectory: binDirectory, extraSettings: settings,
                                                     hba: "local all all peer map=cluster\n", ident: ident.joined(separator: "\n") + "\n"))
            }
        } catch {
            coordinator.stop()
            workers.forEach { $0.stop() }
            throw error
        }
        // Citus reaches its own node (INSERT … SELECT repartitioning, for one) at citus.local_hostname, which
        // defaults to localhost over TCP: here, each node's socket directory.
        for node in [coordinator] + workers {
            let admin = try Connection(node.connectionString())
            try admin.execute("ALTER SYSTEM SET citus.local_hostname = \(SQL.literal(node.socketDirectory))")
            try admin.execute("SELECT pg_catalog.pg_reload_conf()")
        }
        return LocalCluster(coordinator: coordinator, workers: workers)
    }


    init(coordinator: LocalServer, workers: [LocalServer]) {
        self.coordinator = coordinator
        self.workers = workers
    }

    /// Creates `name` on every node with the citus extension, and registers the workers with the coordinator
    /// (Citus keeps its node list per database).
    public func createDatabase(_ name: String) throws {
        for node in [coordinator] + workers {
            try node.createDatabase(name)
            try Connection(node.connectionString(database: name)).execute("CREATE EXTENSION citus")
        }
        let db = try Connection(coordinator.connectionString(database: name))
        try db.query("SELECT citus_set_coordinator_host($1, 5432)", [coordinator.socketDirectory])
        for worker in workers { try db.query("SELECT citus_add_node($1, 5432)", [worker.socketDirectory]) }
    }

    /// A connection string to `database` on the coordinator.
    public func connectionString(database: String) -> String { coordinator.connectionString(database: database) }

    public func stop() {
        coordinator.stop()
        workers.forEach { $0.stop() }
    }
}
