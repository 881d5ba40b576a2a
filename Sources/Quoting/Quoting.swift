import Foundation

/// Quoting for everything tenantwall writes into SQL. Identifiers are always double-quoted with embedded
/// quotes doubled; literals are single-quoted with quotes doubled (and `E''` when a backslash appears, so the
/// result means the same whatever `standard_conforming_strings` says).
public enum SQL {
    public static func ident(_ name: String) -> String {
        "\"" + name.replacingOccurrences(of: "\"", with: "\"\"") + "\""
    }

    /// `"schema"."name"`.
    public static func qualified(_ schema: String, _ name: String) -> String { ident(schema) + "." + ident(name) }

    public static func literal(_ value: String) -> String {
        let body = value.replacingOccurrences(of: "'", with: "''")
        if value.contains("\\") { return "E'" + body.replacingOccurrences(of: "\\", with: "\\\\") + "'" }
        return "'" + body + "'"
    }

    /// Wraps a function or DO body in a dollar quote whose tag does not occur in the body.
    public static func dollarQuoted(_ body: String) -> String {
        var tag = "$tw$", n = 0
        while body.contains(tag) { n += 1; tag = "$tw\(n)$" }
        return tag + body + tag
    }

    /// A comma-separated list of quoted identifiers.
    public static func identList(_ names: [String]) -> String { names.map(ident).joined(separator: ", ") }

    /// A PostgreSQL text-array value (`{"a","b\\"c"}`), passed as a bind parameter for `$1::text[]`.
    public static func textArray(_ values: [String]) -> String {
        "{" + values.map { "\"" + $0.replacingOccurrences(of: "\\", with: "\\\\").replacingOccurrences(of: "\"", with: "\\\"") + "\"" }.joined(separator: ",") + "}"
    }

    /// A `'schema.name'::regclass`-style literal that names a relation safely.
    public static func regclass(_ schema: String, _ name: String) -> String { literal(qualified(schema, name)) + "::regclass" }
}
