import Foundation
import Postgres
import Quoting

/// A throwaway PostgreSQL server in a temporary directory, listening only on a Unix socket.
///
/// This is tenantwall's "embedded default" and the test suite's server: nothing to install or configure by
/// hand, nothing left behind. It uses the server binaries that `pg_config --bindir` names (Debian's
/// `postgresql-15`). As root it runs the server as the `postgres` OS user, because PostgreSQL refuses to run
/// as root.
///
///     let server = try LocalServer.start()
///     defer { server.stop() }
///     let db = try Connection(server.connectionString(database: "postgres"))
public final class LocalServer {
    public let directory: URL
    public let socketDirectory: String
    public let superuser = "postgres"
    private let binDirectory: String
    private let runAs: String?
    private var stopped = false

    private init(directory: URL, binDirectory: String, runAs: String?) {
        self.directory = directory
        self.socketDirectory = directory.path
        self.binDirectory = binDirectory
        self.runAs = runAs
    }

    /// Initialises a cluster and starts it; throws with the server's own log when it cannot.
    /// - Parameter passwordRoles: roles that must log in with a password (scram-sha-256); everyone else is
    ///   trusted on the private socket.
    /// - Parameter binDirectory: the server binaries to use (`--pg-bindir`); nil finds them (`findBinDirectory`).
    /// - Parameter hba: the whole of pg_hba.conf, and `ident` of pg_ident.conf, when given (a Citus worker
    ///   admits the application's roles from the coordinator's OS user only: `LocalCluster`).
    /// - Parameter cachedInitdb: copy a data directory that initdb made once for these binaries (kept next to the
    ///   server's directory) instead of running initdb each time: `review` starts a server per side, and initdb is
    ///   most of a start.
    /// - Parameter parent: where the server's directory goes (default: the temp directory); `review` uses a
    ///   memory file system where there is room (on a busy disk: initdb 3.9 s against 1.2 s, the copy 2.4 s
    ///   against 0.08 s).
    public static func start(binDirectory: String? = nil, extraSettings: [String: String] = [:], passwordRoles: [String] = [],
                             hba: String? = nil, ident: String? = nil, cachedInitdb: Bool = false, parent: String? = nil) throws -> LocalServer {
        let bin = try binDirectory.map(checkedBinDirectory) ?? findBinDirectory()
        let runAs: String? = geteuid() == 0 ? "postgres" : nil
        let dir = URL(fileURLWithPath: parent ?? NSTemporaryDirectory()).appendingPathComponent("tenantwall-pg-\(UUID().uuidString.prefix(8))")
        try FileManager.default.createDirectory(at: dir, withIntermediateDirectories: true)
        let server = LocalServer(directory: dir, binDirectory: bin, runAs: runAs)
        do {
            if let runAs { try run("/bin/chown", [runAs, dir.path]) }
            let data = dir.appendingPathComponent("data").path
            if cachedInitdb {
                try run("/bin/cp", ["-a", try server.initdbTemplate(), data])
            } else {
                try server.pg("initdb", Self.initdbArguments(data))
            }
            if !passwordRoles.isEmpty {
                let hbaURL = URL(fileURLWithPath: data).appendingPathComponent("pg_hba.conf")
                let lines = passwordRoles.map { "local all \($0) scram-sha-256" }.joined(separator: "\n")
                try (lines + "\nlocal all all trust\n").write(to: hbaURL, atomically: true, encoding: .utf8)
                if let runAs { try run("/bin/chown", [runAs, hbaURL.path]) }
            }
            for (file, text) in [("pg_hba.conf", hba), ("pg_ident.conf", ident)] {
                guard let text else { continue }
                let url = URL(fileURLWithPath: data).appendingPathComponent(file)
                try text.write(to: url, atomically: true, encoding: .utf8)
                if let runAs { try run("/bin/chown", [runAs, url.path]) }
            }
            var settings = [
                "listen_addresses": "''", "unix_socket_directories": "'\(dir.path)'", "fsync": "off",
                "synchronous_commit": "off", "full_page_writes": "off", "max_connections": "100",
                "shared_buffers": "128MB", "log_min_messages": "warning", "lc_messages": "'C'",
            ]
            // TimescaleDB works only when preloaded: load it wherever it is installed, so specs with
            // hypertables run as hypertables on the embedded server too.
            // (Debian's layout: the libraries sit next to bin/, in lib/.)
            if FileManager.default.fileExists(atPath: ((bin as NSString).deletingLastPathComponent as NSString).appendingPathComponent("lib/timescaledb.so")) {
                settings["shared_preload_libraries"] = "'timescaledb'"
                settings["timescaledb.telemetry_level"] = "off"
                // One job scheduler per database with the extension, plus the jobs: many test databases.
                settings["max_worker_processes"] = "64"
                settings["timescaledb.max_background_workers"] = "48"
            }
            for (key, value) in extraSettings { settings[key] = value }
            let conf = settings.sorted { $0.key < $1.key }.map { "\($0.key) = \($0.value)" }.joined(separator: "\n")
            let confURL = URL(fileURLWithPath: data).appendingPathComponent("postgresql.auto.conf")
            try (conf + "\n").write(to: confURL, atomically: true, encoding: .utf8)
            if let runAs { try run("/bin/chown", [runAs, confURL.path]) }
            try server.pg("pg_ctl", ["-D", data, "-l", dir.appendingPathComponent("server.log").path, "-w", "-t", "60", "start"])
        } catch {
            let log = (try? String(contentsOf: dir.appendingPathComponent("server.log"), encoding: .utf8)) ?? ""
            server.stop()
            throw LocalServerError(message: "\(error)\n\(log)")
        }
        return server
    }

    static func initdbArguments(_ data: String) -> [String] {
        ["-D", data, "-U", "postgres", "-A", "trust", "-E", "UTF8", "--no-sync", "--locale=C"]
    }

    /// A data directory initdb made for these binaries, never started: made once (into a folder of its own,
    /// renamed into place when complete, so concurrent starts never copy half of one) and copied by each start.
    func initdbTemplate() throws -> String {
        // Keyed by the binaries' path and the server binary's size and time: binaries replaced in place (another
        // major version under the same path) get a template of their own.
        let attributes = try? FileManager.default.attributesOfItem(atPath: binDirectory + "/postgres")
        let stamp = "\(binDirectory)|\((attributes?[.size] as? NSNumber)?.int64Value ?? 0)|\((attributes?[.modificationDate] as? Date)?.timeIntervalSince1970 ?? 0)"
        let key = stamp.utf8.reduce(UInt64(0xcbf2_9ce4_8422_2325)) { ($0 ^ UInt64($1)) &* 0x100_0000_01b3 }
        let template = (directory.deletingLastPathComponent().path as NSString).appendingPathComponent("tenantwall-initdb-\(String(key, radix: 16))-\(runAs ?? "self")")
        if FileManager.default.fileExists(atPath: template + "/data/PG_VERSION") { return template + "/data" }
        let making = template + ".\(UUID().uuidString.prefix(8))"
        try FileManager.default.createDirectory(atPath: making, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(atPath: making) }
        if let runAs { try Self.run("/bin/chown", [runAs, making]) }
        try pg("initdb", Self.initdbArguments(making + "/data"))
        if (try? FileManager.default.moveItem(atPath: making, toPath: template)) == nil,
           !FileManager.default.fileExists(atPath: template + "/data/PG_VERSION") {
            throw LocalServerError(message: "cannot keep the initdb template at \(template)")
        }
        return template + "/data"
    }

    /// A libpq key/value connection string for `database` as the superuser (or `user`).
    public func connectionString(database: String = "postgres", user: String? = nil) -> String {
        "host=\(socketDirectory) port=5432 dbname=\(database) user=\(user ?? superuser)"
    }

    /// Creates a fresh, empty database and returns its name.
    public func createDatabase(_ name: String) throws {
        let admin = try Connection(connectionString())
        try admin.query("SELECT 1")
        try admin.execute("CREATE DATABASE \(SQL.ident(name))")
    }

    /// Stops the server at once and removes its directory. Safe to call twice.
    public func stop() {
        guard !stopped else { return }
        stopped = true
        let data = directory.appendingPathComponent("data").path
        if FileManager.default.fileExists(atPath: data + "/postmaster.pid") {
            try? pg("pg_ctl", ["-D", data, "-m", "immediate", "-w", "stop"])
        }
        try? FileManager.default.removeItem(at: directory)
    }

    deinit { stop() }

    private func pg(_ tool: String, _ arguments: [String]) throws {
        let path = binDirectory + "/" + tool
        if let runAs {
            try Self.run("/usr/sbin/runuser", ["-u", runAs, "--", path] + arguments)
        } else {
            try Self.run(path, arguments)
        }
    }

    /// Starts a program without waiting: standard input from /dev/null, standard output and error into the file
    /// `output`. Returns its pid (the throwaway pooler keeps it running; `run` waits for it).
    static func spawn(_ executable: String, _ arguments: [String], output: String) throws -> pid_t {
        var actions = posix_spawn_file_actions_t()
        posix_spawn_file_actions_init(&actions)
        defer { posix_spawn_file_actions_destroy(&actions) }
        posix_spawn_file_actions_addopen(&actions, 0, "/dev/null", O_RDONLY, 0)
        posix_spawn_file_actions_addopen(&actions, 1, output, O_WRONLY | O_CREAT | O_TRUNC, 0o644)
        posix_spawn_file_actions_adddup2(&actions, 1, 2)
        let argv = ([executable] + arguments).map { strdup($0) } + [nil]
        defer { argv.forEach { free($0) } }
        var pid = pid_t()
        let spawned = posix_spawn(&pid, executable, &actions, nil, argv, environ)
        guard spawned == 0 else {
            throw LocalServerError(message: "cannot run \(executable): \(String(cString: strerror(spawned)))")
        }
        return pid
    }

    /// Runs a program and waits for it, with its output in a file.
    ///
    /// posix_spawn and waitpid rather than Foundation's `Process`: the server that `pg_ctl start` leaves running
    /// inherits descriptors, and `Process` would wait for those to close, i.e. for the server to stop.
    @discardableResult
    static func run(_ executable: String, _ arguments: [String]) throws -> String {
        let outputPath = NSTemporaryDirectory() + "tenantwall-run-\(UUID().uuidString)"
        defer { try? FileManager.default.removeItem(atPath: outputPath) }
        let pid = try spawn(executable, arguments, output: outputPath)
        var status: Int32 = 0
        while waitpid(pid, &status, 0) == -1 && errno == EINTR {}
        let text = (try? String(contentsOfFile: outputPath, encoding: .utf8)) ?? ""
        let exited = (status & 0x7f) == 0, code = (status >> 8) & 0xff
        guard exited && code == 0 else {
            throw LocalServerError(message: "\(executable) \(arguments.joined(separator: " ")) failed (status \(status)):\n\(text)")
        }
        return text
    }

    static func checkedBinDirectory(_ path: String) throws -> String {
        guard FileManager.default.isExecutableFile(atPath: path + "/initdb"), FileManager.default.isExecutableFile(atPath: path + "/pg_ctl") else {
            throw LocalServerError(message: "\(path) has no initdb and pg_ctl: --pg-bindir (PG_BINDIR) must name a PostgreSQL server's bin directory")
        }
        return path
    }

    /// The server's version, e.g. `18.6`.
    public func version() throws -> String {
        try Connection(connectionString()).query("SELECT pg_catalog.current_setting('server_version')").scalar ?? "?"
    }

    /// `PG_BINDIR`, else `pg_config --bindir`, else the newest `/usr/lib/postgresql/*/bin`.
    public static func findBinDirectory() throws -> String {
        let environment = ProcessInfo.processInfo.environment
        if let bin = environment["PG_BINDIR"], !bin.isEmpty { return try checkedBinDirectory(bin) }
        for candidate in ["/usr/bin/pg_config", "/usr/local/bin/pg_config"] where FileManager.default.fileExists(atPath: candidate) {
            if let bin = try? run(candidate, ["--bindir"]).trimmingCharacters(in: .whitespacesAndNewlines),
               FileManager.default.fileExists(atPath: bin + "/initdb") { return bin }
        }
        let versions = (try? FileManager.default.contentsOfDirectory(atPath: "/usr/lib/postgresql")) ?? []
        for version in versions.sorted(by: { (Int($0) ?? 0) > (Int($1) ?? 0) }) {
            let bin = "/usr/lib/postgresql/\(version)/bin"
            if FileManager.default.fileExists(atPath: bin + "/initdb") { return bin }
        }
        throw LocalServerError(message: "no PostgreSQL server binaries found: install postgresql-15 (apt-get install postgresql-15) or set PG_BINDIR")
    }
}

public struct LocalServerError: Error, CustomStringConvertible {
    public var message: String
    public var description: String { "could not start a local PostgreSQL: \(message)" }
}
