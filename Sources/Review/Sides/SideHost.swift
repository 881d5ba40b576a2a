import Foundation
import LocalPostgres
import Postgres
import Tenantwall

/// Where a side is built: its own throwaway server (the default: roles are cluster-wide, so each side gets a
/// server of its own and a role one side creates or alters cannot leak into the other), or a scratch database
/// on a server the user gives (`--server`; both sides then share its roles).
public enum SideHost: Sendable {
    case embedded(binDirectory: String?)
    case server(String)

    /// An empty database for one side, and what to stop or drop when the review is done. Also stopped on
    /// Ctrl-C and SIGTERM (`Interruption`), which a `defer` does not cover.
    func makeDatabase(side: String) throws -> SideDatabase {
        switch self {
        case .embedded(let binDirectory):
            let started = Date()
            let server = try LocalServer.start(binDirectory: binDirectory, cachedInitdb: true, parent: Self.memoryDirectory)
            let token = Interruption.onInterrupt { server.stop() }
            do {
                try server.createDatabase("review_\(side)")
            } catch {
                Interruption.remove(token)
                server.stop()
                throw error
            }
            return SideDatabase(conninfo: server.connectionString(database: "review_\(side)"),
                                startMilliseconds: Int(Date().timeIntervalSince(started) * 1000),
                                release: { Interruption.remove(token); server.stop() })
        case .server(let conninfo):
            let scratch = try ScratchDatabase.empty(on: conninfo, prefix: "tenantwall_review_\(side)")
            return SideDatabase(conninfo: scratch.conninfo, startMilliseconds: nil, release: { scratch.drop() })
        }
    }
}

extension SideHost {
    /// `/dev/shm` when it is a writable file system with 1 GiB free, else nil (the temp directory). A side's
    /// server is thrown away with the review: memory makes its initdb copy and its build several times faster
    /// than a busy disk, and a container's small default /dev/shm (64 MiB) is left alone.
    static var memoryDirectory: String? {
        var stats = statvfs()
        guard access("/dev/shm", W_OK) == 0, statvfs("/dev/shm", &stats) == 0 else { return nil }
        return UInt64(stats.f_bavail) * UInt64(stats.f_frsize) >= 1 << 30 ? "/dev/shm" : nil
    }
}

/// A scratch database a side was built in, alive until `release` (the witnesses run on it after the
/// comparison).
public final class SideDatabase: @unchecked Sendable {
    public let conninfo: String
    /// How long the embedded server took to start (nil on `--server`).
    public let startMilliseconds: Int?
    private var release: (() -> Void)?
    private let lock = NSLock()

    init(conninfo: String, startMilliseconds: Int?, release: @escaping () -> Void) {
        self.conninfo = conninfo
        self.startMilliseconds = startMilliseconds
        self.release = release
    }

    /// Stops the server or drops the database (once).
    public func close() {
        lock.lock()
        let body = release
        release = nil
        lock.unlock()
        body?()
    }

    deinit { close() }
}
