import Deploy
import Tenantwall
import Foundation
import Identity
import PolicyGen
import Postgres
import XCTest

/// The native signed binding keeps the keys in each backend's memory (`set_signed_context`, in C). These tests
/// hold several sessions open across a rotation and a revocation, and check that the cache never outlives a
/// change: a rotated-out or revoked key is refused in the very next transaction of every open session, a new
/// key works at once, and a key retires at its `retired_at` (a token at its `exp`) with no change to the table,
/// even for a token the backend remembers having verified. They also check that the cache is one: a warm
/// session reads the keys table zero times per transaction.
final class SignedRotationTests: XCTestCase {
    let first = Array("rotation-first-secret-0123456789abcdef".utf8)
    let second = Array("rotation-second-secret-0123456789abcde".utf8)

    func token(_ tenant: Int, _ secret: [UInt8], expiresIn: TimeInterval = 300) throws -> String {
        try JWT.sign(JWT.claims(path: "tenant_id", value: tenant, expires: Date().addingTimeInterval(expiresIn)), secret: secret)
    }

    /// A database on the workflow-platform example with the native signed binding, three workflows of tenants 1
    /// and 2, and key k1.
    func signedDatabase(_ prefix: String) throws -> (url: String, db: Connection, spec: Spec) {
        var spec = try SpecFiles.load([TestServer.path("policies/workflow-platform")])
        spec.tenancy.binding = .signed
        spec.tenancy.helpers = .extension
        let (name, db) = try TestServer.freshDatabase(prefix)
        try LiveDatabase(connection: db).apply(spec)
        try db.execute("INSERT INTO public.workflows (tenant_id, name, definition) VALUES (1, 'a', '{}'), (1, 'b', '{}'), (2, 'c', '{}')")
        try SigningKeys.rotate(db, spec: spec, secret: first, id: "k1", overlap: 0)
        return (try TestServer.shared.connectionString(database: name), db, spec)
    }

    /// A session as the application role, for the whole test.
    func appSession(_ url: String) throws -> Connection {
        let session = try Connection(url)
        try session.execute("SET ROLE wf_app")
        return session
    }

    /// One transaction in `session`: the token, then what the policies let it see ("1:2": tenant 1, two rows)
    /// and how many times this transaction scanned the keys table.
    func visible(_ session: Connection, _ token: String, keys relid: String) throws -> (seen: String, scans: String) {
        // The backend's scan counter moves when a scan starts; read before and after, in one transaction (no
        // statistics are flushed inside it).
        let counter = "SELECT pg_catalog.pg_stat_get_xact_numscans($1::oid)"
        try session.execute("BEGIN")
        defer { _ = try? session.execute("COMMIT") }
        let before = Int(try session.query(counter, [relid]).scalar ?? "") ?? -1
        try session.query("SELECT tenantwall.set_tenant_context($1)", [token])
        let seen = try session.query("SELECT coalesce(string_agg(DISTINCT tenant_id::text, ',') || ':' || count(*), 'none') FROM public.workflows").scalar ?? "?"
        let after = Int(try session.query(counter, [relid]).scalar ?? "") ?? -1
        return (seen, String(after - before))
    }

    func testRotationAndRevocationReachEveryOpenSessionInItsNextTransaction() throws {
        let (url, db, spec) = try signedDatabase("signed_rotation")
        let relid = try XCTUnwrap(db.query("SELECT 'tenantwall.signing_keys'::regclass::oid").scalar)
        let sessions = try (0..<3).map { _ in try appSession(url) }
        let old = try token(1, first)
        for (i, session) in sessions.enumerated() {
            XCTAssertEqual(try visible(session, old, keys: relid).seen, "1:2", "session \(i) binds with k1")
            XCTAssertEqual(try visible(session, old, keys: relid).scans, "0", "session \(i): warm, no read of the keys table")
        }

        // Rotation with no overlap: k1 retires at the rotation's now(), k2 is added; committed by another session.
        try SigningKeys.rotate(db, spec: spec, secret: second, id: "k2", overlap: 0)
        let new = try token(1, second)
        for (i, session) in sessions.enumerated() {
            let next = try visible(session, old, keys: relid)
            XCTAssertEqual(next.seen, "none", "session \(i): the rotated-out key is refused in the very next transaction")
            XCTAssertEqual(next.scans, "1", "session \(i): the invalidation made it read the keys once")
            XCTAssertEqual(try visible(session, new, keys: relid).seen, "1:2", "session \(i): the new key works at once")
            XCTAssertEqual(try visible(session, try token(2, second), keys: relid).seen, "2:1")
        }

        // Revocation: k2 deleted by hand, with no rotation tool involved.
        try db.execute("DELETE FROM tenantwall.signing_keys WHERE id = 'k2'")
        for (i, session) in sessions.enumerated() {
            XCTAssertEqual(try visible(session, new, keys: relid).seen, "none", "session \(i): the revoked key is refused in the next transaction")
        }

        // A change that rolls back changes nothing: k1 brought back and rolled back never verifies again.
        try db.execute("BEGIN; UPDATE tenantwall.signing_keys SET retired_at = NULL WHERE id = 'k1'; ROLLBACK")
        for session in sessions {
            XCTAssertEqual(try visible(session, old, keys: relid).seen, "none")
        }
    }

    /// A key whose retired_at lies ahead verifies until then and not after, with the table untouched: the
    /// cached retired_at is compared with now() at each verification.
    func testAKeyRetiresAtItsTimeWithNoChangeToTheTable() throws {
        let (url, db, spec) = try signedDatabase("signed_retire")
        let relid = try XCTUnwrap(db.query("SELECT 'tenantwall.signing_keys'::regclass::oid").scalar)
        try SigningKeys.rotate(db, spec: spec, secret: second, id: "k2", overlap: 2)
        let session = try appSession(url)
        let old = try token(1, first)
        XCTAssertEqual(try visible(session, old, keys: relid).seen, "1:2", "inside the overlap window")
        XCTAssertEqual(try visible(session, old, keys: relid).scans, "0")
        XCTAssertTrue(try poll(timeout: 15, every: 0.2) { try visible(session, old, keys: relid).seen == "none" },
                      "k1 stops verifying once its retired_at has passed")
        let after = try visible(session, old, keys: relid)
        XCTAssertEqual(after.seen, "none")
        XCTAssertEqual(after.scans, "0", "no reload was needed: the cached retired_at decided")
        XCTAssertEqual(try visible(session, try token(1, second), keys: relid).seen, "1:2")

        // The same for the token's own exp: a token verified before (remembered by the backend) still expires.
        let short = try token(2, second, expiresIn: 2)
        XCTAssertEqual(try visible(session, short, keys: relid).seen, "2:1")
        XCTAssertEqual(try visible(session, short, keys: relid).seen, "2:1", "verified again, from the backend's memo")
        XCTAssertTrue(try poll(timeout: 15, every: 0.2) { try visible(session, short, keys: relid).seen == "none" },
                      "a remembered token stops binding at its exp")
    }

    /// The trigger is the cache's only news of a change, and it carries the scope and claim path: without it
    /// the setter refuses to run, and the application cannot choose another claim.
    func testTheKeysTriggerIsRequiredAndCarriesTheClaim() throws {
        let (url, db, _) = try signedDatabase("signed_trigger")
        let session = try appSession(url)
        let args = try db.query("SELECT encode(tgargs, 'escape') FROM pg_trigger WHERE tgrelid = 'tenantwall.signing_keys'::regclass AND NOT tgisinternal").scalar
        XCTAssertEqual(args, #"transaction\000tenant_id\000"#, "scope and claim path, as generated from the spec")
        XCTAssertThrowsError(try session.query("SELECT tenantwall.set_signed_context($1, '{other}')", [try token(1, first)]),
                             "the setter takes the token only") {
            XCTAssertEqual(($0 as? PostgresError)?.sqlState, "42883", "\($0)")
        }
        try db.execute("ALTER TABLE tenantwall.signing_keys DISABLE TRIGGER tw_signing_keys_changed")
        XCTAssertThrowsError(try session.query("SELECT tenantwall.set_tenant_context($1)", [try token(1, first)])) {
            XCTAssertEqual(($0 as? PostgresError)?.sqlState, "55000", "\($0)")
        }
        try db.execute("ALTER TABLE tenantwall.signing_keys ENABLE TRIGGER tw_signing_keys_changed")
        XCTAssertThrowsError(try session.query("SELECT tenantwall.set_tenant_context($1)", [try token(1, first)]),
                             "enabled for origin changes only: a replica's changes would pass unseen") {
            XCTAssertEqual(($0 as? PostgresError)?.sqlState, "55000", "\($0)")
        }
        try db.execute("ALTER TABLE tenantwall.signing_keys ENABLE ALWAYS TRIGGER tw_signing_keys_changed")
        XCTAssertEqual(try visible(session, try token(1, first), keys: "0").seen, "1:2", "enabled ALWAYS again, as generated: it works")

        // A change made as a logical replication worker makes it (session_replication_role = replica).
        try db.execute("SET session_replication_role = replica; DELETE FROM tenantwall.signing_keys; RESET session_replication_role")
        XCTAssertEqual(try visible(session, try token(1, first), keys: "0").seen, "none", "a key deleted in replica mode is refused next")
    }
}
