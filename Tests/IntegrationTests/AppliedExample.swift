import Deploy
import Foundation
import PolicyGen
import Postgres
import Quoting
import Tenantwall

/// What the pooler and client tests start from: an example applied to a fresh database, and the login roles an
/// application connects as.
enum AppliedExample {
    /// An example of policies/ applied to a fresh database (named with `prefix`), as ExampleSpecTests applies it.
    static func applied(_ model: String, prefix: String, _ change: (inout Spec) -> Void = { _ in }) throws -> (name: String, db: Connection, spec: Spec) {
        var loaded = try SpecFiles.load([TestServer.path("policies/" + model)])
        change(&loaded)
        let (name, db) = try TestServer.freshDatabase(prefix)
        var notes: [String] = []
        let spec = try ServerCapabilities(connection: db).adapt(loaded, notes: &notes)
        try TestServer.requireExtensions(spec, db)
        try LiveDatabase(connection: db).apply(spec)
        return (name, db, spec)
    }

    /// A login role that is a member of one of the spec's NOLOGIN roles, as an application connects: never the
    /// owner, never BYPASSRLS.
    static func loginRole(_ prefix: String, memberOf role: String, _ db: Connection) throws -> String {
        let name = "\(prefix)_\(getpid())"
        try db.execute("""
            DO $$ BEGIN
              IF NOT EXISTS (SELECT FROM pg_roles WHERE rolname = \(SQL.literal(name))) THEN
                CREATE ROLE \(SQL.ident(name)) LOGIN NOBYPASSRLS;
              END IF;
            END $$;
            GRANT \(SQL.ident(role)) TO \(SQL.ident(name));
            """)
        return name
    }
}
