import Foundation
import LocalPostgres
import PolicyGen
import Postgres
import Tenantwall
import XCTest

/// One real PostgreSQL for the whole test run, started on first use and stopped when the process exits.
/// Each test gets a fresh database of its own.
enum TestServer {
    static let shared: LocalServer = {
        do {
            let server = try LocalServer.start(passwordRoles: [passwordRole])
            atexit { TestServer.shared.stop() }
            return server
        } catch {
            fatalError("integration tests need PostgreSQL server binaries (apt-get install postgresql-15): \(error)")
        }
    }()

    /// A role that must log in with a password, for the wrong-password test.
    static let passwordRole = "tw_password_user"

    private static var counter = 0
    private static let lock = NSLock()

    /// A new empty database and a superuser connection to it.
    static func freshDatabase(_ prefix: String = "t") throws -> (name: String, connection: Connection) {
        lock.lock()
        counter += 1
        let name = "\(prefix)_\(counter)_\(getpid())"
        lock.unlock()
        try shared.createDatabase(name)
        return (name, try Connection(shared.connectionString(database: name)))
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

    /// The server's major version, for the tests whose expectations differ between versions.
    static var majorVersion: Int {
        (try? ServerCapabilities(connection: Connection(shared.connectionString())).majorVersion()) ?? 0
    }

    static let root = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
    static func path(_ relative: String) -> String { root.appendingPathComponent(relative).path }
}
