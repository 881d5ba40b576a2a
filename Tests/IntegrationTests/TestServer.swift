import Foundation
import LocalPostgres
import Postgres

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

    static let root = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
    static func path(_ relative: String) -> String { root.appendingPathComponent(relative).path }
}
