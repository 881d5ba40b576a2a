import Foundation
import Tenantwall
import Postgres
import Quoting

/// The CPU time a backend process has used, from Linux's `/proc/<pid>/schedstat` (nanoseconds on a CPU).
///
/// Throughput on a small shared machine moves by ±10–20% from run to run with whatever else is scheduled;
/// the CPU a backend spends per statement moves far less, and it is exactly what row-level security adds to.
/// Only available when the server runs on this machine (a Unix socket or loopback connection to a process
/// named `postgres` that we can read); otherwise the report gives throughput alone.
struct ServerCPU {
    let path: String

    init?(connection: Connection) {
        guard let local = try? connection.query("SELECT inet_server_addr() IS NULL OR host(inet_server_addr()) IN ('127.0.0.1', '::1')").flag, local
        else { return nil }
        let pid = connection.backendPID
        guard let comm = try? String(contentsOfFile: "/proc/\(pid)/comm", encoding: .utf8), comm.hasPrefix("postgres") else { return nil }
        path = "/proc/\(pid)/schedstat"
        guard read() != nil else { return nil }
    }

    /// Nanoseconds the process has run. Read when the backend is idle (after a short pause), since the kernel
    /// brings a running task's figure up to date only when it stops running.
    func read() -> UInt64? {
        guard let text = try? String(contentsOfFile: path, encoding: .utf8) else { return nil }
        return text.split(separator: " ").first.flatMap { UInt64($0) }
    }

    /// Waits long enough for the backend to have gone back to sleep, then reads.
    func readIdle() -> UInt64? {
        usleep(200)
        return read()
    }
}

/// On Citus, the CPU the workers spend for one coordinator backend: the backends its connections to the
/// workers opened, found by the global process id Citus gives them (`application_name` is
/// `citus_internal gpid=<gpid>`, the coordinator backend's `citus_backend_gpid()`), read like `ServerCPU`
/// from `/proc/<pid>/schedstat`. Only for a cluster whose workers run on this machine (the local cluster);
/// otherwise nil, and the report gives the coordinator's CPU alone. The worker connections are listed through
/// a separate superuser connection (`run_command_on_workers`), between measurements.
final class WorkerCPU {
    private let admin: Connection
    private let gpid: String
    /// The last reading of each worker backend seen so far.
    private var last: [String: UInt64] = [:]

    init?(client: Connection, conninfo: String) {
        guard let gpid = try? client.query("SELECT citus_backend_gpid()::text").scalar,
              let admin = try? Connection(conninfo), (try? admin.query("SELECT rolsuper FROM pg_roles WHERE rolname = session_user").flag) == true
        else { return nil }
        self.admin = admin
        self.gpid = gpid
        guard pids() != nil else { return nil }
    }

    /// The worker backends serving this coordinator backend now, by process id; nil when a worker's answer
    /// cannot be read or names a process this machine does not run (a remote worker).
    private func pids() -> [String]? {
        let command = "SELECT coalesce(string_agg(pid::text, ','), '') FROM pg_catalog.pg_stat_activity WHERE application_name = "
            + "'citus_internal gpid=' || \(SQL.literal(gpid))"
        guard let rows = try? admin.query("SELECT success, result FROM run_command_on_workers($1)", [command]).rows else { return nil }
        var out: [String] = []
        for row in rows {
            guard row[0] == "t" else { return nil }
            out += (row[1] ?? "").split(separator: ",").map(String.init)
        }
        guard out.allSatisfy({ FileManager.default.fileExists(atPath: "/proc/\($0)/schedstat") }) else { return nil }
        return out
    }

    /// Nanoseconds the worker backends have run since the last call (all of it for a backend first seen now).
    func advance() -> UInt64? {
        guard let pids = pids() else { return nil }
        usleep(200)
        var spent: UInt64 = 0
        for pid in pids {
            guard let text = try? String(contentsOfFile: "/proc/\(pid)/schedstat", encoding: .utf8),
                  let now = text.split(separator: " ").first.flatMap({ UInt64($0) }) else { continue }
            spent += now &- (last[pid] ?? 0)
            last[pid] = now
        }
        return spent
    }
}
