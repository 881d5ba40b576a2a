import Deploy
import Foundation
import Identity
import PolicyGen
import Postgres
import Tenantwall
import Verification
import XCTest

/// The `signed` binding: only a valid, unexpired token signed with a current key binds a session to its
/// tenant; everything else fails closed.
final class SignedBindingTests: XCTestCase {
    let secret = Array("tenantwall-test-secret-0123456789abcdef".utf8)

    func token(_ tenant: Int, secret: [UInt8]? = nil, expiresIn: TimeInterval = 300) throws -> String {
        try JWT.sign(JWT.claims(path: "tenant_id", value: tenant, expires: Date().addingTimeInterval(expiresIn)), secret: secret ?? self.secret)
    }

    func testOnlyAValidTokenBindsATenant() throws { try assertOnlyAValidTokenBinds(.inline) }

    /// The same walls on the native extension, where the token is verified once per transaction in C.
    func testOnlyAValidTokenBindsATenantNatively() throws { try assertOnlyAValidTokenBinds(.extension) }

    func assertOnlyAValidTokenBinds(_ helpers: HelperInstall) throws {
        var spec = try SpecFiles.load([TestServer.path("policies/workflow-platform")])
        spec.tenancy.binding = .signed
        spec.tenancy.helpers = helpers
        let (name, db) = try TestServer.freshDatabase("signed")
        try LiveDatabase(connection: db).apply(spec)
        XCTAssertTrue(try LiveDatabase(connection: db).plan(spec).isEmpty)
        try db.execute("INSERT INTO public.workflows (tenant_id, name, definition) VALUES (1, 'a', '{}'), (1, 'b', '{}'), (2, 'c', '{}')")
        try SigningKeys.rotate(db, spec: spec, secret: secret, id: "k1", overlap: 0)

        func visible(_ token: String?, setByHand: String? = nil) throws -> String {
            try db.execute("BEGIN; SET LOCAL ROLE wf_app")
            defer { _ = try? db.execute("ROLLBACK") }
            if let token { try db.query("SELECT tenantwall.set_tenant_context($1)", [token]) }
            if let setByHand { try db.query("SELECT set_config('app.current_tenant_id', $1, true)", [setByHand]) }
            return try db.query("SELECT string_agg(DISTINCT tenant_id::text, ',') || ':' || count(*) FROM public.workflows").scalar ?? "none"
        }
        XCTAssertEqual(try visible(try token(1)), "1:2")
        XCTAssertEqual(try visible(try token(2)), "2:1")
        XCTAssertEqual(try visible(nil, setByHand: "2"), "none", "typing the plain setting binds nothing")
        XCTAssertEqual(try visible(try token(1, expiresIn: -10)), "none", "expired")
        XCTAssertEqual(try visible(try token(1, secret: Array("another-secret-another-secret-0000".utf8))), "none", "signed with another key")
        let parts = try token(1).split(separator: ".").map(String.init)
        let forged = parts[0] + "." + JWT.base64url(Array(#"{"exp":9999999999,"tenant_id":2}"#.utf8)) + "." + parts[2]
        XCTAssertEqual(try visible(forged), "none", "payload changed to another tenant, signature kept")
        let none = JWT.base64url(Array(#"{"alg":"none"}"#.utf8)) + "." + parts[1] + "."
        XCTAssertEqual(try visible(none), "none", "alg none")
        // A header naming another algorithm, with a valid HS256 MAC: only the `alg` check refuses it.
        for alg in ["HS512", "none", "RS256"] {
            let header = JWT.base64url(Array(#"{"alg":"\#(alg)","typ":"JWT"}"#.utf8))
            let mac = JWT.signature(of: header + "." + parts[1], secret: secret)
            XCTAssertEqual(try visible(header + "." + parts[1] + "." + mac), "none", "alg \(alg) with a valid HS256 MAC")
        }
        let honest = JWT.base64url(Array(#"{"alg":"HS256","typ":"JWT"}"#.utf8))
        let honestMAC = JWT.signature(of: honest + "." + parts[1], secret: secret)
        XCTAssertEqual(try visible(honest + "." + parts[1] + "." + honestMAC), "1:2", "the same construction with alg HS256 binds: the test above is not vacuous")
        XCTAssertEqual(try visible("garbage"), "none")

        try db.execute("BEGIN; SET LOCAL ROLE wf_app")
        try db.query("SELECT tenantwall.set_tenant_context($1)", [try token(1)])
        XCTAssertThrowsError(try db.execute("INSERT INTO public.workflows (tenant_id, name, definition) VALUES (2, 'x', '{}')")) {
            XCTAssertEqual(($0 as? PostgresError)?.sqlState, "42501")
        }
        try db.execute("ROLLBACK; BEGIN; SET LOCAL ROLE wf_app")
        XCTAssertThrowsError(try db.query("SELECT * FROM tenantwall.signing_keys"), "the application cannot read the keys") {
            XCTAssertEqual(($0 as? PostgresError)?.sqlState, "42501", "\($0)")
        }
        try db.execute("ROLLBACK")

        // Rotation with an overlap: the old key still verifies until its window closes.
        let newSecret = Array("rotated-secret-rotated-secret-0001".utf8)
        let old = try token(1)
        try SigningKeys.rotate(db, spec: spec, secret: newSecret, id: "k2", overlap: 3600)
        XCTAssertEqual(try visible(old), "1:2")
        XCTAssertEqual(try visible(try token(1, secret: newSecret)), "1:2")
        try SigningKeys.rotate(db, spec: spec, secret: Array("third-secret-third-secret-third-0002".utf8), id: "k3", overlap: 0)
        XCTAssertEqual(try visible(old), "none", "retired keys verify nothing")

        var settings = Verifier.Settings()
        settings.secret = Array("third-secret-third-secret-third-0002".utf8)
        let report = try Verifier(spec: spec, conninfo: TestServer.shared.connectionString(database: name), settings: settings).run()
        XCTAssertEqual(report.failed.map { "\($0.table) \($0.id) \($0.actual)" }, [])
        XCTAssertThrowsError(try Verifier(spec: spec, conninfo: TestServer.shared.connectionString(database: name)).run(), "no secret: cannot mint probes") {
            XCTAssertTrue("\($0)".contains("secret"), "says what is missing: \($0)")
        }
    }

    func testCommandsRotateMintAndVerify() throws {
        let dir = FileManager.default.temporaryDirectory.appendingPathComponent("tw-signed-\(UUID().uuidString)").path
        try FileManager.default.createDirectory(atPath: dir, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(atPath: dir) }
        let original = try String(contentsOfFile: TestServer.path("policies/workflow-platform/workflow-platform.yaml"), encoding: .utf8)
        let signed = original.replacingOccurrences(of: "\ntenancy:\n", with: "\ntenancy:\n  binding: signed\n")
        XCTAssertNotEqual(signed, original, "the copy binds with signed tokens")
        try signed.write(toFile: dir + "/spec.yaml", atomically: true, encoding: .utf8)
        let (name, _) = try TestServer.freshDatabase("signedcli")
        let url = TestServer.shared.connectionString(database: name)
        let env = ["TW_TEST_SECRET": String(decoding: secret, as: UTF8.self)]
        XCTAssertEqual(try TenantwallProcess.run(["apply", "--spec", dir, "--database", url]).status, 0)
        let rotate = try TenantwallProcess.run(["tenant", "rotate-secret", "--spec", dir, "--database", url, "--secret-env", "TW_TEST_SECRET", "--overlap", "0s"], environment: env)
        XCTAssertEqual(rotate.status, 0, rotate.stderr)
        let minted = try TenantwallProcess.run(["tenant", "token", "--spec", dir, "--secret-env", "TW_TEST_SECRET", "--tenant", "7"], environment: env)
        XCTAssertEqual(minted.status, 0, minted.stderr)
        XCTAssertEqual(minted.stdout.split(separator: ".").count, 3)
        let verify = try TenantwallProcess.run(["verify", "--spec", dir, "--database", url, "--secret-env", "TW_TEST_SECRET"], environment: env)
        XCTAssertEqual(verify.status, 0, verify.stdout + verify.stderr)
        XCTAssertEqual(try TenantwallProcess.run(["verify", "--spec", dir, "--database", url]).status, 2, "no secret: could not run")
        let db = try Connection(url)
        XCTAssertEqual(try db.query("SELECT count(*) FROM tenantwall.signing_keys").scalar, "1")
        let migrationText = try TenantwallProcess.run(["generate", "--spec", dir, "--stdout"]).stdout
        XCTAssertFalse(migrationText.contains(String(decoding: secret, as: UTF8.self)), "the secret never reaches generated SQL")
    }
}
