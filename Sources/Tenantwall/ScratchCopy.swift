import Foundation
import PolicyGen
import Postgres

/// A copy of a database (`CREATE DATABASE … TEMPLATE`) to probe instead of the original.
///
/// PostgreSQL copies a database only while no other session is connected to it, and waits 5 s for others to
/// leave. Two kinds of session do not leave on their own: TimescaleDB's job scheduler, which stays connected
/// to every database with the extension (so it is stopped for the copy and started again afterwards), and a
/// backend whose client has just disconnected, or a TimescaleDB worker checking a new database, which go within
/// seconds (so the copy is tried again for a few seconds on 55006 "being accessed by other users").
public enum ScratchCopy {
    public struct Failure: Error, CustomStringConvertible {
        public var source: String
        public var message: String
        public var description: String { "cannot copy \(source) for --scratch: \(message) (a template database must have no other sessions)" }
    }

    /// Drops a copy, from a connection of its own (it may run from a signal handler, while the main thread is
    /// inside libpq), ending any session still connected to it.
    public static func drop(_ name: String, conninfo: String) {
        if let admin = try? Connection(ConnectionString.with(conninfo, [("dbname", "postgres")])) {
            _ = try? admin.execute("DROP DATABASE IF EXISTS \(SQL.ident(name)) WITH (FORCE)")
        }
    }

    /// Creates the copy and returns its name; `admin` is connected to the source database.
    public static func create(from admin: Connection, attempts: Int = 6) throws -> String {
        let source = try admin.query("SELECT pg_catalog.current_database()").scalar ?? ""
        let name = "tenantwall_verify_\(UUID().uuidString.prefix(8).lowercased())"
        let timescale = try admin.query("SELECT count(*) FROM pg_catalog.pg_extension WHERE extname = 'timescaledb'").scalar == "1"
        if timescale { try admin.query("SELECT _timescaledb_functions.stop_background_workers()") }
        defer { if timescale { _ = try? admin.query("SELECT _timescaledb_functions.start_background_workers()") } }
        for attempt in 1...attempts {
            do {
                try admin.execute("CREATE DATABASE \(SQL.ident(name)) TEMPLATE \(SQL.ident(source))")
                return name
            } catch let error as PostgresError where error.sqlState == "55006" && attempt < attempts {
                continue  // PostgreSQL itself waited 5 s for the other sessions; try again
            } catch let error as PostgresError {
                throw Failure(source: source, message: error.message)
            }
        }
        throw Failure(source: source, message: "other sessions stayed connected")
    }
}
