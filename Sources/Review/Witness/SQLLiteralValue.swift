import Foundation
import Quoting

/// A witness value as the solver writes it (`'…'::uuid`, `42`, `true`, `E'a\\b'::text`), checked to be a
/// literal before it is spliced into SQL: a witness is data, and anything else in its place is refused.
struct SQLLiteralValue: Sendable, Equatable {
    /// The SQL text, exactly as given.
    let sql: String
    /// The literal's own text without quotes or cast (`0000…01`, `42`, `true`): what a setting or a token's
    /// claim carries.
    let text: String
    /// The cast written after it (`uuid`, `text`), nil when none.
    let cast: String?

    init?(_ sql: String) {
        let trimmed = sql.trimmingCharacters(in: .whitespaces)
        guard let (text, rest) = Self.splitLiteral(trimmed) else { return nil }
        var cast: String? = nil
        if !rest.isEmpty {
            guard rest.hasPrefix("::") else { return nil }
            let name = String(rest.dropFirst(2))
            guard Self.isTypeName(name) else { return nil }
            cast = name
        }
        self.sql = trimmed
        self.text = text
        self.cast = cast
    }

    /// A literal for the text `value` of type `type` (`'…'::type`), from a setting or a sampled row.
    static func typed(_ value: String, _ type: String) -> SQLLiteralValue? {
        SQLLiteralValue(SQL.literal(value) + "::" + type)
    }

    /// The quoted or bare literal at the start and what follows it.
    private static func splitLiteral(_ s: String) -> (String, Substring)? {
        var chars = Substring(s)
        if chars.hasPrefix("'") || chars.hasPrefix("E'") || chars.hasPrefix("e'") {
            let escaped = !chars.hasPrefix("'")
            chars = chars.dropFirst(escaped ? 2 : 1)
            var text = ""
            while let c = chars.first {
                chars = chars.dropFirst()
                if c == "'" {
                    if chars.first == "'" { text.append("'"); chars = chars.dropFirst(); continue }
                    return (text, chars)
                }
                if escaped && c == "\\", let next = chars.first { text.append(next); chars = chars.dropFirst(); continue }
                text.append(c)
            }
            return nil
        }
        let bare = chars.prefix { $0.isLetter || $0.isNumber || $0 == "." || $0 == "-" }
        let word = String(bare)
        let numeric = Double(word) != nil && !word.isEmpty
        guard numeric || ["true", "false", "null"].contains(word.lowercased()) else { return nil }
        return (word, chars.dropFirst(bare.count))
    }

    /// `uuid`, `character varying(20)`, `"public"."mood"`, `timestamp with time zone`, `text[]`: words, quoted
    /// names, one `(n[,m])` and `[]`, nothing that could end the expression it sits in.
    private static func isTypeName(_ name: String) -> Bool {
        guard let pattern = try? Regex(#"(?:[A-Za-z_][A-Za-z0-9_$ .]*|"(?:[^"]|"")+"|\.)+(?:\(\d+(?:,\s*\d+)?\))?(?:\[\])*"#) else { return false }
        return name.wholeMatch(of: pattern) != nil
    }

    var isNull: Bool { cast == nil && text.lowercased() == "null" }
}
