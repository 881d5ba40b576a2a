import LocalPostgres
import Tenantwall

/// Starts the throwaway server for `--embedded` runs and stops it on Ctrl-C or SIGTERM too: `defer` blocks do
/// not run when a signal ends the process, and a server left running would keep its temp directory and port.
enum EmbeddedServer {
    static func start(binDirectory: String? = nil, extraSettings: [String: String] = [:]) throws -> LocalServer {
        let server = try LocalServer.start(binDirectory: binDirectory, extraSettings: extraSettings)
        _ = Interruption.onInterrupt { server.stop() }
        return server
    }
}
