/// TW510: names over 63 bytes are truncated by the server with only a NOTICE.
public struct IdentifierTooLong: AuditRule {
    public let id = "TW510", name = "identifier-too-long", severity = Severity.error
    public let title = "identifier over 63 bytes"
    public let explanation = "PostgreSQL silently truncates it; two long names can become the same name, and later migrations miss the object."
    public init() {}
    static let keys: Set<String> = ["relname", "idxname", "colname", "conname", "policy_name", "newname", "trigname", "schemaname"]
    public func check(_ input: AuditInput) -> [Finding] {
        // The parser has already cut such a name to 63 bytes; where the source goes on past that cut, it was longer.
        MigrationStatement.all(input).compactMap { s in
            let text = Array(s.statement.text.utf8)
            let cut = strings(in: s.node, keys: Self.keys).filter { $0.utf8.count == 63 }.first { name in
                let needle = Array(name.utf8)
                guard needle.count < text.count else { return false }
                for start in 0..<(text.count - needle.count) where Array(text[start..<start + needle.count]) == needle {
                    if Self.continuesIdentifier(text[start + needle.count]) { return true }
                }
                return false
            }
            guard let cut else { return nil }
            return finding("an identifier starting '\(cut)…' is longer than 63 bytes and will be truncated", at: s.location)
        }
    }

    static func continuesIdentifier(_ c: UInt8) -> Bool {
        (c >= 0x30 && c <= 0x39) || (c >= 0x41 && c <= 0x5A) || (c >= 0x61 && c <= 0x7A) || c == 0x5F || c == 0x24 || c >= 0x80
    }
}
