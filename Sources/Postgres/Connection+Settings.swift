import CLibPQ
import Foundation

/// What libpq resolved for this connection, and passwords hashed on the client.
///
/// A data source written for another client (Grafana) needs the host, port, database and TLS mode the
/// connection actually used, whichever of `--database`, `DATABASE_URL`, `PG*` or `.pgpass` supplied them.
extension Connection {
    /// The connection's settings as another client would need them.
    public struct Settings: Sendable, Equatable {
        /// A host name or address, or a Unix socket directory (starts with `/`).
        public var host: String
        public var port: String
        public var database: String
        /// The `sslmode` asked for (`prefer` when none was).
        public var sslMode: String
        /// Whether this connection is encrypted.
        public var sslInUse: Bool

        public init(host: String, port: String, database: String, sslMode: String, sslInUse: Bool) {
            self.host = host
            self.port = port
            self.database = database
            self.sslMode = sslMode
            self.sslInUse = sslInUse
        }
    }

    public var settings: Settings {
        func text(_ value: UnsafeMutablePointer<CChar>?) -> String { value.map { String(cString: $0) } ?? "" }
        var sslMode = "prefer"
        if let options = PQconninfo(handle) {
            var option = options
            while let keyword = option.pointee.keyword {
                if String(cString: keyword) == "sslmode", let value = option.pointee.val { sslMode = String(cString: value) }
                option = option.advanced(by: 1)
            }
            PQconninfoFree(options)
        }
        return Settings(host: text(PQhost(handle)), port: text(PQport(handle)), database: text(PQdb(handle)),
                        sslMode: sslMode, sslInUse: PQsslInUse(handle) == 1)
    }

    /// The password hashed for `CREATE ROLE … PASSWORD`, by libpq on the client with the server's
    /// `password_encryption` (SCRAM-SHA-256 by default), as psql's `\password` does: the clear text never
    /// reaches the server, so it cannot end up in its statement log.
    public func encryptedPassword(_ password: String, user: String) throws -> String {
        guard let hashed = PQencryptPasswordConn(handle, password, user, nil) else {
            throw PostgresError.client("could not hash the password: " + String(cString: PQerrorMessage(handle)).trimmingTrailingNewlines())
        }
        defer { PQfreemem(hashed) }
        return String(cString: hashed)
    }
}
