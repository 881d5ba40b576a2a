import Foundation

/// Keeps passwords out of every message tenantwall prints.
///
/// libpq quotes the connection string in some of its errors, so a malformed URL can echo its password
/// (`invalid percent-encoded token: "pass%ZZ9"`, `…in IPv6 host address in URI: "postgresql://u:pw@[::1"`).
/// Messages are scrubbed twice: of the passwords the connection string actually carries (found however
/// malformed the string is, raw and percent-decoded), and of anything shaped like a password (`user:…@` in a
/// URL, `password=…`), whatever the input.
public enum Redaction {
    public static let mask = "***"

    /// The passwords in a connection string or URL, raw and decoded, longest first.
    public static func secrets(in conninfo: String) -> [String] {
        var out: [String] = []
        // URL form: scheme://user:password@host… (the last '@' before the path ends the userinfo).
        if let scheme = conninfo.range(of: "://") {
            let rest = conninfo[scheme.upperBound...]
            let authorityEnd = rest.firstIndex { $0 == "/" || $0 == "?" } ?? rest.endIndex
            let authority = rest[..<authorityEnd]
            if let at = authority.lastIndex(of: "@"), let colon = authority[..<at].firstIndex(of: ":") {
                let raw = String(authority[authority.index(after: colon)..<at])
                out.append(raw)
                if let decoded = raw.removingPercentEncoding { out.append(decoded) }
                // A broken escape (%ZZ) stops decoding: keep the part before it too, as libpq may echo either.
                if let cut = raw.firstIndex(of: "%") { out.append(String(raw[..<cut])) }
            }
            for part in rest.split(separator: "&") where part.lowercased().hasPrefix("password=") || part.lowercased().contains("?password=") {
                let value = String(part[part.index(after: part.firstIndex(of: "=")!)...])
                out.append(value)
                if let decoded = value.removingPercentEncoding { out.append(decoded) }
            }
        }
        // Keyword form: password=value or password='quoted value'.
        let pattern = #"password\s*=\s*('((?:[^'\\]|\\.)*)'?|(\S+))"#
        if let regex = try? NSRegularExpression(pattern: pattern, options: [.caseInsensitive]) {
            let text = conninfo as NSString
            for match in regex.matches(in: conninfo, range: NSRange(location: 0, length: text.length)) {
                for group in [2, 3] where match.range(at: group).location != NSNotFound {
                    out.append(text.substring(with: match.range(at: group)).replacingOccurrences(of: "\\'", with: "'"))
                }
            }
        }
        return Array(Set(out.filter { $0.count >= 2 })).sorted { $0.count > $1.count }
    }

    /// `text` with the given secrets and anything shaped like a password masked.
    public static func scrub(_ text: String, secrets: [String] = []) -> String {
        var out = text
        for secret in secrets.sorted(by: { $0.count > $1.count }) where secret.count >= 2 {
            out = out.replacingOccurrences(of: secret, with: mask)
        }
        let patterns: [(String, String)] = [
            (#"(://[^:/@\s"]*:)[^@\s"]*@"#, "$1\(mask)@"),
            (#"(?i)(password\s*=\s*)('(?:[^'\\]|\\.)*'?|[^\s'"&]+)"#, "$1\(mask)"),
        ]
        for (pattern, template) in patterns {
            out = out.replacingOccurrences(of: pattern, with: template, options: .regularExpression)
        }
        return out
    }

    /// The secrets of everything a connection may have used: the explicit string, DATABASE_URL, PGPASSWORD.
    public static func secrets(conninfo: String?, environment: [String: String]) -> [String] {
        var out = secrets(in: conninfo ?? "") + secrets(in: environment["DATABASE_URL"] ?? "")
        if let password = environment["PGPASSWORD"], password.count >= 2 { out.append(password) }
        return out
    }
}
