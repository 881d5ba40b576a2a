import Foundation
import Postgres

/// A throwaway PgBouncer in transaction mode in front of a `LocalServer`, listening only on a Unix socket in a
/// temporary directory.
///
/// Transaction pooling is where a tenant context leaks: a server connection passes to the next client at each
/// commit, with whatever session state the last one left on it. `default_pool_size = 1` makes that certain
/// rather than likely: every client of one (database, user) pair runs on the same server connection, however
/// many are connected. Authentication is `trust` (the socket is private to the test), but PgBouncer still only
/// admits the users its `auth_file` lists, so `users` must name every role a client logs in as.
///
///     let pooler = try LocalPooler.start(in: server, users: ["wf_client"])
///     defer { pooler.stop() }
///     let a = try Connection(pooler.connectionString(database: "db", user: "wf_client"))
public final class LocalPooler {
    public let directory: URL
    public let port = 6432
    /// PgBouncer's own pid: it runs in the foreground as this process's child, so stopping it is a signal and a
    /// waitpid, with no pid file to race and no orphan left behind.
    private var pid: pid_t = 0
    private var stopped = false

    private init(directory: URL) {
        self.directory = directory
    }

    /// The `pgbouncer` binary: `PGBOUNCER`, else the first on `PATH`, `/usr/sbin` or `/usr/local/bin`; nil when
    /// none is installed (Debian: `apt-get install pgbouncer`).
    public static func findBinary() -> String? {
        let environment = ProcessInfo.processInfo.environment
        if let path = environment["PGBOUNCER"], !path.isEmpty { return FileManager.default.isExecutableFile(atPath: path) ? path : nil }
        let path = (environment["PATH"] ?? "").split(separator: ":").map(String.init) + ["/usr/sbin", "/usr/local/sbin", "/usr/local/bin"]
        return path.map { $0 + "/pgbouncer" }.first { FileManager.default.isExecutableFile(atPath: $0) }
    }

    /// Starts PgBouncer in front of `server` and returns once its socket accepts connections.
    /// - Parameter users: the roles clients log in as (PgBouncer's `auth_file`); the server's superuser is
    ///   added, as the admin console's user.
    /// - Parameter poolSize: server connections per (database, user) pair.
    public static func start(in server: LocalServer, users: [String], poolSize: Int = 1, binary: String? = nil) throws -> LocalPooler {
        guard let binary = binary ?? findBinary() else {
            throw LocalServerError(message: "no pgbouncer binary found: install it (apt-get install pgbouncer) or set PGBOUNCER")
        }
        // PgBouncer refuses to run as root: started as root, it changes to `postgres` itself (`user`).
        let runAs: String? = geteuid() == 0 ? "postgres" : nil
        let dir = URL(fileURLWithPath: NSTemporaryDirectory()).appendingPathComponent("tenantwall-pgb-\(UUID().uuidString.prefix(8))")
        try FileManager.default.createDirectory(at: dir, withIntermediateDirectories: true)
        let pooler = LocalPooler(directory: dir)
        do {
            let quote = { (text: String) in "\"" + text.replacingOccurrences(of: "\"", with: "\"\"") + "\"" }
            let userlist = Set(users + [server.superuser]).sorted().map { quote($0) + " \"\"" }.joined(separator: "\n") + "\n"
            // No listen_addr: no TCP socket at all. The server is reached on its own Unix socket.
            let ini = """
                [databases]
                * = host=\(server.socketDirectory) port=5432

                [pgbouncer]
                unix_socket_dir = \(dir.path)
                listen_port = \(pooler.port)
                auth_type = trust
                auth_file = \(dir.path)/userlist.txt
                admin_users = \(server.superuser)
                pool_mode = transaction
                default_pool_size = \(poolSize)
                max_client_conn = 100
                ignore_startup_parameters = extra_float_digits,options
                logfile = \(dir.path)/pgbouncer.log
                \(runAs.map { "user = \($0)" } ?? "")

                """
            try userlist.write(to: dir.appendingPathComponent("userlist.txt"), atomically: true, encoding: .utf8)
            try ini.write(to: dir.appendingPathComponent("pgbouncer.ini"), atomically: true, encoding: .utf8)
            let iniPath = dir.appendingPathComponent("pgbouncer.ini").path
            if let runAs { try LocalServer.run("/bin/chown", ["-R", runAs, dir.path]) }
            pooler.pid = try LocalServer.spawn(binary, [iniPath], output: dir.appendingPathComponent("stderr.log").path)
            // The socket file appears at bind(), a moment before listen(): ready means its admin console answers.
            let deadline = Date().addingTimeInterval(15)
            while true {
                do {
                    _ = try Connection(pooler.connectionString(database: "pgbouncer", user: server.superuser)).execute("SHOW VERSION")
                    break
                } catch {
                    var status: Int32 = 0
                    if waitpid(pooler.pid, &status, WNOHANG) == pooler.pid {
                        pooler.pid = 0
                        throw LocalServerError(message: "pgbouncer exited at start (status \(status))")
                    }
                    guard Date() < deadline else { throw LocalServerError(message: "pgbouncer did not accept connections within 15 s: \(error)") }
                    usleep(20_000)
                }
            }
        } catch {
            let log = pooler.log + ((try? String(contentsOf: dir.appendingPathComponent("stderr.log"), encoding: .utf8)) ?? "")
            pooler.stop()
            throw LocalServerError(message: "pgbouncer: \(error)\n\(log)")
        }
        return pooler
    }

    /// A libpq connection string for `database` as `user` through the pooler; `pgbouncer` is its admin console.
    public func connectionString(database: String, user: String) -> String {
        "host=\(directory.path) port=\(port) dbname=\(database) user=\(user)"
    }

    /// The pooler's own log, for a failing test's message.
    public var log: String { (try? String(contentsOf: directory.appendingPathComponent("pgbouncer.log"), encoding: .utf8)) ?? "" }

    /// Stops PgBouncer (SIGTERM: at once, dropping its clients; SIGKILL if it has not gone within 10 s), reaps
    /// it, and removes its directory. Safe to call twice.
    public func stop() {
        guard !stopped else { return }
        stopped = true
        if pid > 0 {
            kill(pid, SIGTERM)
            var status: Int32 = 0
            let deadline = Date().addingTimeInterval(10)
            while waitpid(pid, &status, WNOHANG) == 0 {
                if Date() > deadline { kill(pid, SIGKILL); waitpid(pid, &status, 0); break }
                usleep(10_000)
            }
        }
        try? FileManager.default.removeItem(at: directory)
    }

    deinit { stop() }
}
