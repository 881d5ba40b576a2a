import Crypto
import Foundation

/// Compact HS256 JSON Web Tokens (RFC 7519) for the `signed` binding: base64url, the one header, the claims and
/// the signature, which is swift-crypto's `HMAC<SHA256>`. Swift only mints tokens (`tenantwall tenant token`,
/// verify's and the benchmark's probes); the database verifies them, in C or in plpgsql, so no parser or
/// validator is needed here. That is also why there is no jwt-kit: its verifiers, key collections and other
/// algorithms would go unused, and what it would take over is these few lines.
public enum JWT {
    /// The only header tenantwall writes; the database refuses every `alg` but HS256.
    public static let header = #"{"alg":"HS256","typ":"JWT"}"#

    public static func base64url(_ bytes: [UInt8]) -> String {
        Data(bytes).base64EncodedString().replacingOccurrences(of: "+", with: "-").replacingOccurrences(of: "/", with: "_")
            .replacingOccurrences(of: "=", with: "")
    }

    /// The signature part for `signingInput` (the encoded header and payload joined by a dot).
    public static func signature(of signingInput: String, secret: [UInt8]) -> String {
        let mac = HMAC<SHA256>.authenticationCode(for: Array(signingInput.utf8), using: SymmetricKey(data: secret))
        return base64url(Array(mac))
    }

    /// Signs `claims` (a JSON object) with HS256.
    public static func sign(_ claims: [String: Any], secret: [UInt8]) throws -> String {
        let payload = base64url([UInt8](try JSONSerialization.data(withJSONObject: claims, options: [.sortedKeys])))
        let signingInput = base64url(Array(header.utf8)) + "." + payload
        return signingInput + "." + signature(of: signingInput, secret: secret)
    }

    /// A tenant id as its claim holds it: a JSON number for a numeric tenant type (when it is one; a value that
    /// is not stays a string, which the server's cast then refuses), a string otherwise.
    public static func claimValue(_ id: String, numeric: Bool) -> Any {
        numeric ? (Int(id).map { $0 as Any } ?? id) : id
    }

    /// `{"a": {"b": value}}` for the claim path `a.b`, with `exp` at `expires`.
    public static func claims(path: String, value: Any, expires: Date) -> [String: Any] {
        var object: Any = value
        for part in path.split(separator: ".").reversed() { object = [String(part): object] }
        var claims = object as? [String: Any] ?? [:]
        claims["exp"] = Int(expires.timeIntervalSince1970)
        return claims
    }
}
