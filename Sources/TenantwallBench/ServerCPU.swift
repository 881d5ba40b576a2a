import Foundation
import Tenantwall
import Postgres

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
