import Foundation

/// HMAC-SHA256 (RFC 2104) and compact HS256 JSON Web Tokens (RFC 7519), for the `signed` tenant binding.
public enum HMACSHA256 {
    /// The 64-byte padded key XORed with ipad and opad: what the database stores instead of the secret, so
    /// it can compute the HMAC with its built-in `sha256()`.
    public static func paddedKeys(_ secret: [UInt8]) -> (inner: [UInt8], outer: [UInt8]) {
        var key = secret.count > 64 ? SHA256.digest(secret) : secret
        key += [UInt8](repeating: 0, count: 64 - key.count)
        return (key.map { $0 ^ 0x36 }, key.map { $0 ^ 0x5c })
    }

    public static func mac(_ message: [UInt8], secret: [UInt8]) -> [UInt8] {
        let (inner, outer) = paddedKeys(secret)
        return SHA256.digest(outer + SHA256.digest(inner + message))
    }
}

public enum JWT {
    public static func base64url(_ bytes: [UInt8]) -> String {
        Data(bytes).base64EncodedString().replacingOccurrences(of: "+", with: "-").replacingOccurrences(of: "/", with: "_")
            .replacingOccurrences(of: "=", with: "")
    }

    /// Signs `claims` (a JSON object) with HS256.
    public static func sign(_ claims: [String: Any], secret: [UInt8]) throws -> String {
        let header = base64url(Array(#"{"alg":"HS256","typ":"JWT"}"#.utf8))
        let payload = base64url([UInt8](try JSONSerialization.data(withJSONObject: claims, options: [.sortedKeys])))
        let signature = base64url(HMACSHA256.mac(Array((header + "." + payload).utf8), secret: secret))
        return header + "." + payload + "." + signature
    }

    /// A tenant id as its claim holds it: a JSON number for a numeric tenant type (when it is one; a value that
    /// is not stays a string, which the server's cast then refuses), a string otherwise.
    public static func claimValue(_ id: String, numeric: Bool) -> Any {
        numeric ? (Int(id).map { $0 as Any } ?? id) : id
    }

    /// `{"a": {"b": value}}` for the claim path `a.b`.
    public static func claims(path: String, value: Any, expires: Date) -> [String: Any] {
        var object: Any = value
        for part in path.split(separator: ".").reversed() { object = [String(part): object] }
        var claims = object as? [String: Any] ?? [:]
        claims["exp"] = Int(expires.timeIntervalSince1970)
        return claims
    }
}
