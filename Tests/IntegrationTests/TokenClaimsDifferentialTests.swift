import Crypto
import Foundation
import Identity
import Postgres
import Tenantwall
import XCTest

/// The extension reads a token's claims with its own JSON scanner (sql/tenantwall.c), which must give what
/// jsonb gives. Thousands of signed payloads, valid and broken (duplicate keys, nested paths, escapes, surrogate
/// pairs, numbers in every form, literals, arrays, trailing garbage, leading zeros, lone surrogates, raw control
/// characters), go through `verify_token()`; the tenant it binds must be exactly what the server's own jsonb
/// reads at the claim path (a string, or a number in jsonb's text), and nothing when jsonb refuses the payload,
/// when `exp` is not a number in the future, or when the claim is neither a string nor a number.
final class TokenClaimsDifferentialTests: XCTestCase {
    static let secret = Array("tenantwall-claims-differential-secret".utf8)

    /// Random JSON text, mostly valid, from a seeded stream so a failure replays.
    struct Documents {
        var random: SplitMix

        mutating func pick<T>(_ items: [T]) -> T { items[Int(random.next() % UInt64(items.count))] }
        mutating func chance(_ percent: UInt64) -> Bool { random.next() % 100 < percent }

        mutating func string() -> String {
            let pieces = ["acme", "7", "0b7a9c1e-2f3d-4e5a-8b6c-7d8e9f0a1b2c", "\\n", "\\\"", "\\\\", "\\/", "\\u00e9", "é",
                          "\\ud83d\\ude00", "😀", "\\u0041", " ", "\\t", "", "tenant", "\\b\\f\\r"]
            return "\"" + (0..<Int(random.next() % 3 + 1)).map { _ in pick(pieces) }.joined() + "\""
        }

        mutating func number() -> String {
            pick(["7", "-7", "0", "42", "1.5", "-0.25", "1e3", "2E-2", "12345678901234567890", "3.0", "1.50", "-0", "0.000001"])
        }

        mutating func key() -> String {
            pick(["\"tenant_id\"", "\"t\\u0065nant_id\"", "\"exp\"", "\"org\"", "\"sub\"", "\"a\"", "\"\"", "\"tenant_id \""])
        }

        mutating func value(depth: Int) -> String {
            switch random.next() % (depth > 2 ? 4 : 7) {
            case 0: return string()
            case 1: return number()
            case 2: return pick(["true", "false", "null"])
            case 3: return chance(50) ? string() : number()
            case 4, 5: return object(depth: depth + 1)
            default: return "[" + (0..<Int(random.next() % 3)).map { _ in value(depth: depth + 1) }.joined(separator: ",") + "]"
            }
        }

        mutating func object(depth: Int) -> String {
            var fields = (0..<Int(random.next() % 4)).map { _ in key() + ":" + value(depth: depth) }
            if depth == 0 {
                // Most documents carry the claims where they are read; some twice (the last counts), some not at all.
                if chance(85) { fields.insert("\"exp\":" + pick(["4102444800", "4102444800.5", "1", "\"4102444800\"", "4.1e9"]), at: 0) }
                if chance(80) { fields.append("\"tenant_id\":" + (chance(70) ? string() : value(depth: 1))) }
                if chance(40) { fields.append("\"org\":{\"tenant_id\":" + (chance(70) ? string() : number()) + "}") }
                for i in stride(from: fields.count - 1, to: 0, by: -1) { fields.swapAt(i, random.below(i + 1)) }
            }
            let space = pick(["", " ", "\n\t", "\r\n  "])
            return "{" + space + fields.joined(separator: "," + space) + space + "}"
        }

        /// A valid document, or one broken the way hand-made or hostile payloads are.
        mutating func document() -> String {
            let doc = object(depth: 0)
            guard chance(25) else { return doc }
            switch random.next() % 12 {
            case 0: return String(doc.dropLast())
            case 1: return doc + "x"
            case 2: return doc.replacingOccurrences(of: ":7", with: ":07")
            case 3: return doc.replacingOccurrences(of: "\\ude00", with: "")
            case 4: return doc.replacingOccurrences(of: "\\u0041", with: "\\u0000")
            case 5: return doc.replacingOccurrences(of: "\\n", with: "\n")
            case 6: return doc.replacingOccurrences(of: "}", with: ",}")
            case 7: return doc.replacingOccurrences(of: "true", with: "tru")
            case 8: return doc.replacingOccurrences(of: "\\t", with: "\\x")
            case 9: return doc.replacingOccurrences(of: "1.5", with: "1.")
            case 10: return doc.replacingOccurrences(of: "null", with: "nullx")
            default: return "[" + doc + "]"
            }
        }
    }

    func token(payload: String) -> String {
        let header = JWT.base64url(Array(#"{"alg":"HS256","typ":"JWT"}"#.utf8))
        let input = header + "." + JWT.base64url(Array(payload.utf8))
        return input + "." + JWT.signature(of: input, secret: Self.secret)
    }

    func testTheScannerReadsWhatJsonbReads() throws {
        let c = try TestServer.freshDatabase("claims").connection
        try c.execute("""
            CREATE SCHEMA tenantwall; CREATE EXTENSION tenantwall SCHEMA tenantwall;
            CREATE FUNCTION pg_temp.doc(payload text) RETURNS jsonb LANGUAGE plpgsql AS $$
                BEGIN RETURN payload::jsonb; EXCEPTION WHEN others THEN RETURN NULL; END $$;
            CREATE TABLE cases (n integer PRIMARY KEY, payload text NOT NULL, token text NOT NULL, path text[] NOT NULL);
            """)
        let blocks = SigningKeyBlocks(secret: Self.secret)
        let key = "\\x" + (blocks.inner + blocks.outer).map { String(format: "%02x", $0) }.joined()
        var documents = Documents(random: SplitMix(seed: 28))
        let count = 3000
        for batch in stride(from: 0, to: count, by: 500) {
            var values: [String] = []
            var parameters: [String?] = []
            for n in batch..<min(batch + 500, count) {
                let payload = documents.document()
                let path = n % 3 == 0 ? "{org,tenant_id}" : "{tenant_id}"
                values.append("($\(parameters.count + 1)::integer, $\(parameters.count + 2), $\(parameters.count + 3), $\(parameters.count + 4)::text[])")
                parameters += [String(n), payload, token(payload: payload), path]
            }
            try c.query("INSERT INTO cases VALUES " + values.joined(separator: ", "), parameters)
        }
        // jsonb's reading: an object, exp a number in the future, the claim a non-empty string or a number.
        let mismatches = try c.query("""
            WITH read AS (
                SELECT n, payload, path, pg_temp.doc(payload) AS doc,
                       (SELECT CASE WHEN tenantwall.verify_token(token, ARRAY[$1::bytea], path, false)
                                    THEN tenantwall.verified_text() END) AS scanned
                FROM cases ORDER BY n)
            SELECT n, payload, path::text, scanned, expected FROM (
                SELECT *, CASE WHEN jsonb_typeof(doc) = 'object' AND jsonb_typeof(doc -> 'exp') = 'number'
                                    AND (doc ->> 'exp')::float8 > extract(epoch FROM now())
                                    AND jsonb_typeof(doc #> path) IN ('string', 'number') AND doc #>> path <> ''
                               THEN doc #>> path END AS expected
                FROM read) AS r
            WHERE scanned IS DISTINCT FROM expected
            """, [key]).rows
        let summary = try c.query("""
            SELECT count(*) FILTER (WHERE pg_temp.doc(payload) IS NULL), count(*) FILTER (WHERE payload LIKE '%"org"%')
            FROM cases
            """).rows[0]
        XCTAssertEqual(mismatches.count, 0, "first mismatches: \(mismatches.prefix(5).map { $0.map { $0 ?? "NULL" } })")
        // The stream covers what it is meant to: broken payloads and nested paths, not only the easy case.
        XCTAssertGreaterThan(Int(summary[0] ?? "0") ?? 0, 200, "invalid payloads")
        XCTAssertGreaterThan(Int(summary[1] ?? "0") ?? 0, 1000, "payloads with a nested claim")
        let bound = try c.query("""
            SELECT count(*) FROM cases
            WHERE (SELECT tenantwall.verify_token(token, ARRAY[$1::bytea], path, false))
            """, [key]).scalar
        XCTAssertGreaterThan(Int(bound ?? "0") ?? 0, 600, "tokens that bind a tenant")
    }
}
