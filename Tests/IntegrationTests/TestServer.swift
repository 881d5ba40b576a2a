import Foundation
import LocalPostgres
import PolicyGen
import Postgres
import Tenantwall
import XCTest

/// One real PostgreSQL for the whole test run, started on first use and stopped when the process exits.
/// Each test gets a fresh database of its own.
///
/// When no server can start (no binaries at `PG_BINDIR`, a broken install), each test that needs one fails with
/// the reason, test by test, and the rest of the run goes on: the unit tests still report, and a missing server
/// is never mistaken for a pass or a skip. So `shared` throws rather than trapping, and the start is tried only
/// once, its failure kept for every later caller.
///
///     let url = try TestServer.shared.connectionString(database: name)
enum TestServer {
    /// The server, or why it could not start (tried once, on first use).
    private static let started: Result<LocalServer, Unavailable> = {
        do {
            let server = try LocalServer.start(passwordRoles: [passwordRole])
            atexit { if case .success(let server) = TestServer.started { server.stop() } }
            return .success(server)
        } catch {
            return .failure(Unavailable(error))
        }
    }()

    /// The shared server; throws `Unavailable` with the reason when it could not start.
    static var shared: LocalServer {
        get throws { try started.get() }
    }

    /// A role that must log in with a password, for the wrong-password test.
    static let passwordRole = "tw_password_user"

    private static var counter = 0
    private static let lock = NSLock()

    /// A new empty database and a superuser connection to it.
    static func freshDatabase(_ prefix: String = "t") throws -> (name: String, connection: Connection) {
        let server = try shared
        lock.lock()
        counter += 1
        let name = "\(prefix)_\(counter)_\(getpid())"
        lock.unlock()
        try server.createDatabase(name)
        return (name, try Connection(server.connectionString(database: name)))
    }

    /// A server of the test's own, for settings the shared one must not have; fails like `shared` when none can
    /// start. The caller stops it.
    static func startSeparate(extraSettings: [String: String] = [:]) throws -> LocalServer {
        do { return try LocalServer.start(extraSettings: extraSettings) } catch { throw Unavailable(error) }
    }

    /// The server binaries the tests use (`PG_BINDIR`, else `pg_config --bindir`), for tests that start servers
    /// of their own (a Citus cluster); throws `Unavailable` when there are none, a failure rather than a skip.
    static func binDirectory() throws -> String {
        do { return try LocalServer.findBinDirectory() } catch { throw Unavailable(error) }
    }

    /// Skips the calling test when the server lacks an extension that only a from-source build provides
    /// (pg_partman on PostgreSQL 16+, TimescaleDB), saying which and why; anything else missing is a failure.
    static func requireExtensions(_ spec: Spec, _ connection: Connection) throws {
        let capabilities = ServerCapabilities(connection: connection)
        let missing = try capabilities.missing(for: spec)
        guard !missing.isEmpty else { return }
        let major = try capabilities.majorVersion()
        let fromSource = missing.allSatisfy { $0.name == "timescaledb" || ($0.name == "pg_partman" && major > 15) }
        if fromSource { throw XCTSkip("PostgreSQL \(major) here lacks " + missing.map { "\($0.name) (\($0.remedy))" }.joined(separator: "; ")) }
        XCTFail(MissingExtensions(missing: missing).description)
    }

    /// The server's major version, for the tests whose expectations differ between versions. Throws rather
    /// than guessing when there is no server, so that no version-dependent branch passes by default.
    static var majorVersion: Int {
        get throws { try ServerCapabilities(connection: Connection(shared.connectionString())).majorVersion() }
    }

    static let root = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
    static func path(_ relative: String) -> String { root.appendingPathComponent(relative).path }
}
