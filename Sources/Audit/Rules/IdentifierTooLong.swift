/// TW510: names over 63 bytes are truncated by the server with only a NOTICE.
public struct IdentifierTooLong: AuditRule {
    public let id = "TW510", name = "identifier-too-long", severity = Severity.error
    public let title = "identifier over 63 bytes"
    public let explanation = "PostgreSQL silently truncates it; two long names can become the same name, and later migrations miss the object."
    public init() {}
    static let keys: Set<String> = ["relname", "idxname", "colname", "conname", "policy_name", "newname", "trigname", "schemaname"]
    public func check(_ input: AuditInput) -> [Finding] {
        MigrationStatement.all(input).compactMap { s in
            guard let long = strings(in: s.node, keys: Self.keys).first(where: { $0.utf8.count > 63 }) else { return nil }
            return finding("'\(long)' is \(long.utf8.count) bytes", at: s.location)
        }
    }
}
