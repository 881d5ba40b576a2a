import Foundation

/// Resolves which database to connect to, following libpq's conventions.
///
/// An explicit connection string or URL wins; otherwise `DATABASE_URL`; otherwise the empty string, which
/// lets libpq itself apply `PGHOST`, `PGPORT`, `PGUSER`, `PGDATABASE`, `PGSSLMODE`, `.pgpass` and the rest.
public enum ConnectionString {
    public static func resolve(_ explicit: String?, environment: [String: String]) -> String {
        if let explicit, !explicit.isEmpty { return explicit }
        if let url = environment["DATABASE_URL"], !url.isEmpty { return url }
        return ""
    }

    /// Appends `key=value` settings to a connection string of either form (key/value or URI), so a caller
    /// can switch user or database without parsing it. Values are quoted as libpq expects.
    public static func with(_ base: String, _ settings: [(String, String)]) -> String {
        guard !settings.isEmpty else { return base }
        if base.hasPrefix("postgres://") || base.hasPrefix("postgresql://") {
            var url = base
            for (key, value) in settings {
                url += (url.contains("?") ? "&" : "?") + key + "=" + percentEncode(value)
            }
            return url
        }
        let tail = settings.map { "\($0.0)=\(quote($0.1))" }.joined(separator: " ")
        return base.isEmpty ? tail : base + " " + tail
    }

    static func quote(_ value: String) -> String {
        "'" + value.replacingOccurrences(of: "\\", with: "\\\\").replacingOccurrences(of: "'", with: "\\'") + "'"
    }

    static func percentEncode(_ value: String) -> String {
        var out = ""
        for byte in value.utf8 {
            let c = Character(UnicodeScalar(byte))
            if c.isASCII && (c.isLetter || c.isNumber || "-._~".contains(c)) { out.append(c) }
            else { out += String(format: "%%%02X", byte) }
        }
        return out
    }
}
