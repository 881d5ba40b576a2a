import Crypto
import Foundation
import Identity
import Postgres
import Tenantwall
import XCTest

/// Token signatures and signing keys: swift-crypto's HMAC-SHA256 on RFC 4231's vectors, the key-block form the
/// database stores giving the same MAC, tokens byte-identical to what the hand-written HMAC minted, and a
/// token minted by the CLI accepted by the extension's `verify_token` while any single flipped bit is refused.
final class TokenSigningTests: XCTestCase {
    /// RFC 4231, test cases 1 to 7 (case 5's MAC is truncated to 128 bits; cases 6 and 7 have a 131-byte key,
    /// longer than the block, which is hashed first).
    static let rfc4231: [(key: [UInt8], data: [UInt8], mac: String)] = [
        ([UInt8](repeating: 0x0b, count: 20), Array("Hi There".utf8),
         "b0344c61d8db38535ca8afceaf0bf12b881dc200c9833da726e9376c2e32cff7"),
        (Array("Jefe".utf8), Array("what do ya want for nothing?".utf8),
         "5bdcc146bf60754e6a042426089575c75a003f089d2739839dec58b964ec3843"),
        ([UInt8](repeating: 0xaa, count: 20), [UInt8](repeating: 0xdd, count: 50),
         "773ea91e36800e46854db8ebd09181a72959098b3ef8c122d9635514ced565fe"),
        (Array(1...25), [UInt8](repeating: 0xcd, count: 50),
         "82558a389a443c0ea4cc819899f2083a85f0faa3e578f8077a2e3ff46729665b"),
        ([UInt8](repeating: 0x0c, count: 20), Array("Test With Truncation".utf8),
         "a3b6167473100ee06e0c796c2955552b"),
        ([UInt8](repeating: 0xaa, count: 131), Array("Test Using Larger Than Block-Size Key - Hash Key First".utf8),
         "60e431591ee0b67f0d8a26aacbf5b77f8e0bc6213728c5140546040f0ee37f54"),
        ([UInt8](repeating: 0xaa, count: 131),
         Array("This is a test using a larger than block-size key and a larger than block-size data. The key needs to be hashed before being used by the HMAC algorithm.".utf8),
         "9b09ffa71b942fcb27635fbcd5b0e944bfdc63644f0713938a7f51535c3a35e2"),
    ]

    static func hex(_ bytes: some Sequence<UInt8>) -> String { bytes.map { String(format: "%02x", $0) }.joined() }

    func testHMACMatchesRFC4231() {
        for (n, vector) in Self.rfc4231.enumerated() {
            let label = "RFC 4231 test case \(n + 1)"
            let mac = Self.hex(HMAC<SHA256>.authenticationCode(for: vector.data, using: SymmetricKey(data: vector.key)))
            XCTAssertTrue(mac.hasPrefix(vector.mac), "\(label): HMAC<SHA256>")
            // What verify_token computes from the stored blocks: SHA-256(outer ‖ SHA-256(inner ‖ data)).
            let blocks = SigningKeyBlocks(secret: vector.key)
            XCTAssertEqual(blocks.inner.count, 64, label)
            XCTAssertEqual(blocks.outer.count, 64, label)
            let fromBlocks = Self.hex(SHA256.hash(data: blocks.outer + Array(SHA256.hash(data: blocks.inner + vector.data))))
            XCTAssertTrue(fromBlocks.hasPrefix(vector.mac), "\(label): from the stored key blocks")
            if let text = String(bytes: vector.data, encoding: .utf8), vector.data.allSatisfy({ $0 < 0x80 }) {
                let expected = JWT.base64url(Array(HMAC<SHA256>.authenticationCode(for: vector.data, using: SymmetricKey(data: vector.key))))
                XCTAssertEqual(JWT.signature(of: text, secret: vector.key), expected, "\(label): JWT.signature")
            }
        }
    }

    /// Tokens and key blocks that the hand-written SHA-256 and HMAC (until 49802db) produced for fixed claims:
    /// the new code gives the same bytes, for a secret shorter than the block and one longer (hashed first).
    func testTokensAndKeysAreTheOldCodes() throws {
        let expires = Date(timeIntervalSince1970: 2_000_000_000)
        let nested = JWT.claims(path: "app_metadata.org_id", value: JWT.claimValue("7", numeric: true), expires: expires)
        let uuid = JWT.claims(path: "tenant_id", value: JWT.claimValue("0b7a9c1e-2f3d-4e5a-8b6c-7d8e9f0a1b2c", numeric: false), expires: expires)
        let header = "eyJhbGciOiJIUzI1NiIsInR5cCI6IkpXVCJ9."
        let nestedPayload = "eyJhcHBfbWV0YWRhdGEiOnsib3JnX2lkIjo3fSwiZXhwIjoyMDAwMDAwMDAwfQ."
        let uuidPayload = "eyJleHAiOjIwMDAwMDAwMDAsInRlbmFudF9pZCI6IjBiN2E5YzFlLTJmM2QtNGU1YS04YjZjLTdkOGU5ZjBhMWIyYyJ9."
        let cases: [(secret: [UInt8], blocks: String, nested: String, uuid: String)] = [
            (Array("tenantwall-test-secret-0123456789abcdef".utf8), "d5fbae37cda5101dea28745d7906c9b8aabaee7adddd4f3504a0cd2cc77da3bd",
             "Ca3Ridc4HbUMgo6bSeGFpZbQXRrQmJPaXj4NfIXELzo", "eSSTBjw9nHSycsT0kJG_ewi97ZzFIRDnOwxXQUjTV9Y"),
            (Array(String(repeating: "long-secret-", count: 9).utf8), "8ccfeafae45c38ac05b4d5d560ca14404d7ffadbffbd672cba32a869f11847af",
             "KLQIkXpNKBbEXjwAqBtka1Jp-wmc29bq_7VHBN3BshE", "jPYwlYYDjnPu9ZVLFtnsyMVs5P-SaphNahgtGD_v0_k"),
        ]
        for c in cases {
            let blocks = SigningKeyBlocks(secret: c.secret)
            XCTAssertEqual(Self.hex(SHA256.hash(data: blocks.inner + blocks.outer)), c.blocks, "key blocks of a \(c.secret.count)-byte secret")
            XCTAssertEqual(try JWT.sign(nested, secret: c.secret), header + nestedPayload + c.nested)
            XCTAssertEqual(try JWT.sign(uuid, secret: c.secret), header + uuidPayload + c.uuid)
        }
    }

    /// The round trip on support-desk (native signed binding, nested claim, uuid tenants): `tenant rotate-secret`
    /// stores the key, `tenant token` mints, and the extension's `verify_token` accepts that token and binds
    /// its tenant; the same token with any one bit of its signature flipped, or any one bit of its payload
    /// (among them one that names another organisation), is refused.
    func testCLITokenVerifiesInTheExtensionAndNoFlippedBitDoes() throws {
        let spec = TestServer.path("policies/support-desk")
        let (name, db) = try TestServer.freshDatabase("roundtrip")
        let url = TestServer.shared.connectionString(database: name)
        let env = ["TW_ROUNDTRIP_SECRET": "round-trip-secret-round-trip-secret-0001"]
        let apply = try TenantwallProcess.run(["apply", "--spec", spec, "--database", url])
        XCTAssertEqual(apply.status, 0, apply.stderr)
        let rotate = try TenantwallProcess.run(["tenant", "rotate-secret", "--spec", spec, "--database", url,
                                                "--secret-env", "TW_ROUNDTRIP_SECRET", "--overlap", "0s"], environment: env)
        XCTAssertEqual(rotate.status, 0, rotate.stderr)
        let org = "0b7a9c1e-2f3d-4e5a-8b6c-7d8e9f0a1b21", other = "0b7a9c1e-2f3d-4e5a-8b6c-7d8e9f0a1b20"
        let minted = try TenantwallProcess.run(["tenant", "token", "--spec", spec, "--secret-env", "TW_ROUNDTRIP_SECRET", "--tenant", org],
                                               environment: env)
        XCTAssertEqual(minted.status, 0, minted.stderr)
        let token = minted.stdout.trimmingCharacters(in: .whitespacesAndNewlines)
        let parts = token.split(separator: ".", omittingEmptySubsequences: false).map(String.init)
        XCTAssertEqual(parts.count, 3)

        // verify_token itself, with the keys the binding passes it.
        let keys = "ARRAY(SELECT k.inner_key || k.outer_key FROM desk.signing_keys k WHERE k.retired_at IS NULL OR k.retired_at > now())"
        func verified(_ token: String) throws -> String {
            try db.execute("BEGIN")
            defer { _ = try? db.execute("ROLLBACK") }
            let ok = try db.query("SELECT desk.verify_token($1, \(keys), '{app_metadata,org_id}', false)", [token]).scalar
            return (ok ?? "?") + " " + (try db.query("SELECT current_setting('tenantwall.verified', true)").scalar ?? "")
        }
        let accepted = try verified(token)
        XCTAssertTrue(accepted.hasPrefix("t ") && accepted.hasSuffix(":" + org), "the CLI's token verifies and binds its tenant: \(accepted)")

        // Every single-bit flip, all checked in one statement: none verifies.
        func flips(_ bytes: [UInt8]) -> [[UInt8]] {
            (0..<bytes.count * 8).map { bit in var b = bytes; b[bit / 8] ^= 1 << UInt8(bit % 8); return b }
        }
        let signature = try XCTUnwrap(Self.base64urlDecode(parts[2]))
        let payload = try XCTUnwrap(Self.base64urlDecode(parts[1]))
        XCTAssertEqual(signature.count, 32)
        let signatureFlips = flips(signature).map { parts[0] + "." + parts[1] + "." + JWT.base64url($0) }
        let payloadFlips = flips(payload).map { parts[0] + "." + JWT.base64url($0) + "." + parts[2] }
        // The flip a forger wants: the last digit of the organisation, '1' (0x31) to '0' (0x30), still valid JSON.
        let otherOrg = String(decoding: payload, as: UTF8.self).replacingOccurrences(of: org, with: other)
        XCTAssertTrue(payloadFlips.contains(parts[0] + "." + JWT.base64url(Array(otherOrg.utf8)) + "." + parts[2]))
        func acceptedAmong(_ tokens: [String]) throws -> String? {
            try db.query("SELECT count(*) FILTER (WHERE desk.verify_token(t, \(keys), '{app_metadata,org_id}', false)) FROM unnest($1::text[]) t",
                         ["{" + tokens.joined(separator: ",") + "}"]).scalar
        }
        XCTAssertEqual(try acceptedAmong(signatureFlips), "0", "\(signatureFlips.count) signature flips")
        XCTAssertEqual(try acceptedAmong(payloadFlips), "0", "\(payloadFlips.count) payload flips")
        XCTAssertEqual(try acceptedAmong([token] + signatureFlips), "1", "the same query accepts the token itself: not vacuous")
        XCTAssertEqual(try verified(parts[0] + "." + JWT.base64url(Array(otherOrg.utf8)) + "." + parts[2]), "f ",
                       "the other organisation's payload under the original signature binds nothing")

        // And through the binding the application uses: the rows of its organisation, none with a flipped bit.
        try db.execute("""
            INSERT INTO public.orgs (id, name) VALUES ('\(org)', 'mine'), ('\(other)', 'theirs');
            INSERT INTO public.tickets (org_id, subject) VALUES ('\(org)', 'a'), ('\(org)', 'b'), ('\(other)', 'c');
            """)
        func visible(_ token: String) throws -> String {
            try db.execute("BEGIN; SET LOCAL ROLE desk_api")
            defer { _ = try? db.execute("ROLLBACK") }
            try db.query("SELECT desk.set_tenant_context($1)", [token])
            return try db.query("SELECT count(*) FROM public.tickets").scalar ?? "?"
        }
        XCTAssertEqual(try visible(token), "2")
        XCTAssertEqual(try visible(signatureFlips[0]), "0")
        XCTAssertEqual(try visible(parts[0] + "." + JWT.base64url(Array(otherOrg.utf8)) + "." + parts[2]), "0")
    }

    static func base64urlDecode(_ text: String) -> [UInt8]? {
        var s = text.replacingOccurrences(of: "-", with: "+").replacingOccurrences(of: "_", with: "/")
        s += String(repeating: "=", count: (4 - s.count % 4) % 4)
        return Data(base64Encoded: s).map { [UInt8]($0) }
    }
}
