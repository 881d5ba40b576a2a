/// Column types a spec may use. Types are written into DDL as they are, so they are checked against this
/// grammar first: a known base type, an optional `(n)` or `(p,s)`, an optional `[]`.
public enum TypeName {
    static let baseTypes: Set<String> = [
        "smallint", "integer", "int", "int2", "int4", "int8", "bigint", "real", "float4", "float8",
        "double precision", "numeric", "decimal", "boolean", "bool", "text", "varchar", "character varying",
        "char", "character", "uuid", "date", "time", "timetz", "timestamp", "timestamptz",
        "timestamp with time zone", "timestamp without time zone", "interval", "jsonb", "json", "bytea", "inet",
        "cidr", "macaddr", "money", "tsvector",
    ]

    /// The normalised type (lower case, single spaces), or nil when it is not one tenantwall accepts.
    public static func normalize(_ raw: String) -> String? {
        var text = raw.lowercased().split(whereSeparator: { $0 == " " || $0 == "\t" }).joined(separator: " ")
        var suffix = ""
        if text.hasSuffix("[]") { suffix = "[]"; text = String(text.dropLast(2)).trimmingTrailingSpaces() }
        if let open = text.firstIndex(of: "("), text.hasSuffix(")") {
            let inside = text[text.index(after: open)..<text.index(before: text.endIndex)]
            let numbers = inside.split(separator: ",", omittingEmptySubsequences: false).map { $0.trimmingTrailingSpaces().trimmingLeadingSpaces() }
            guard (1...2).contains(numbers.count), numbers.allSatisfy({ !$0.isEmpty && $0.allSatisfy(\.isNumber) }) else { return nil }
            let base = String(text[..<open]).trimmingTrailingSpaces()
            guard baseTypes.contains(base) else { return nil }
            return base + "(" + numbers.joined(separator: ",") + ")" + suffix
        }
        if baseTypes.contains(text) { return text + suffix }
        return isUserType(text) ? text + suffix : nil
    }

    /// A type of the database's own (an enum, a domain, a composite), always schema-qualified so that a typo of
    /// a base type is not taken for one: `raw.event_kind`. Plain lower-case names only, so the text is safe to
    /// write into DDL as it is; the server says whether the type exists.
    static func isUserType(_ text: String) -> Bool {
        let parts = text.split(separator: ".", omittingEmptySubsequences: false)
        return parts.count == 2 && parts.allSatisfy { part in
            guard let first = part.first, first == "_" || ("a"..."z").contains(first) else { return false }
            return part.utf8.count <= 63 && part.allSatisfy { $0 == "_" || ("a"..."z").contains($0) || ("0"..."9").contains($0) }
        }
    }

    /// Whether a column of this type can hold tenant ids of `tenant`.
    public static func matches(_ type: String, tenant: TenantType) -> Bool {
        guard let type = normalize(type) else { return false }
        switch tenant {
        case .uuid: return type == "uuid"
        case .bigint: return ["bigint", "int8"].contains(type)
        case .integer: return ["integer", "int", "int4"].contains(type)
        case .text: return type == "text" || type.hasPrefix("varchar") || type.hasPrefix("character varying")
        }
    }

    public static func isTime(_ type: String) -> Bool {
        guard let type = normalize(type) else { return false }
        return type.hasPrefix("timestamp") || type == "date" || type == "timestamptz"
    }
}

extension StringProtocol {
    func trimmingTrailingSpaces() -> String {
        var s = String(self)
        while s.last == " " { s.removeLast() }
        return s
    }
    func trimmingLeadingSpaces() -> String {
        String(self.drop(while: { $0 == " " }))
    }
}
