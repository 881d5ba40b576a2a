import Catalog
import Foundation

/// The text of each fingerprint in a `CatalogSnapshot`, from the one catalog model: one function per kind of
/// object, so a reviewer reading a plan's `- now` / `+ after` lines finds here where each line comes from.
struct Fingerprints {
    let catalog: DatabaseCatalog

    /// Kind, owner and the columns with their types and NOT NULL; empty for a relation without columns.
    func table(_ t: DatabaseCatalog.Table) -> String {
        guard !t.attributes.isEmpty else { return "" }
        return "\(t.kind) owner=\(t.owner)\n" + t.attributes.map { "\($0.name) \($0.type)" + ($0.notNull ? " not null" : "") }.joined(separator: "\n")
    }

    /// Each policy by name: permissive, command, roles, and both expressions as the server deparses them.
    func policies(_ t: DatabaseCatalog.Table) -> String {
        catalog.policies(on: t).sorted { byteOrder($0.name, $1.name) }.map { p in
            "\(p.name) permissive=\(tf(p.permissive)) cmd=\(p.command) roles=\(p.roles.sorted(by: byteOrder).joined(separator: ",")) using=\(p.using ?? "") check=\(p.check ?? "")"
        }.joined(separator: "\n")
    }

    /// Table privileges of everyone but the owner, then each grantee's column privileges.
    func grants(_ t: DatabaseCatalog.Table) -> String {
        let table = t.grants.filter { grant in grant.range(of: ":", options: .backwards).map { String(grant[..<$0.lowerBound]) } != t.owner }
        return table.sorted(by: byteOrder).joined(separator: "\n")
            + t.columnPrivileges.map { "\ncolumns \($0.grantee)(\($0.columns.joined(separator: " ")))" }.joined()
    }

    /// Partitions with their RLS flags and ACL; other inheritance children (TimescaleDB chunks) by their ACL
    /// only (CatalogSnapshot says why). A table without children prints as the reference query did: `. acl=`.
    func children(_ t: DatabaseCatalog.Table) -> String {
        let children = catalog.children(of: t.qualified).sorted { byteOrder($0.name, $1.name) }
        guard !children.isEmpty else { return ". acl=" }
        return children.map { k in
            k.isPartition ? "\(k.name) rls=\(tf(k.rls)) force=\(tf(k.forced)) acl=\(k.acl ?? "")" : "\(k.quotedSchema).\(k.name) acl=\(k.acl ?? "")"
        }.joined(separator: "\n")
    }

    /// Every function in the helper schema (definition and ACL), then the admin-mode log table's RLS, ACL and
    /// policies.
    func helpers(schema: String) -> String {
        let functions = catalog.functions.filter { $0.schema == schema }
            .sorted { $0.name != $1.name ? byteOrder($0.name, $1.name) : byteOrder($0.identity, $1.identity) }
        var text = functions.map { ($0.definition ?? "") + " acl=" + ($0.acl ?? "") }.joined(separator: "\n") + "\nlog: "
        if let log = catalog.table(schema + ".admin_mode_log") {
            let policies = catalog.policies(on: log).filter { $0.using != nil }.sorted { byteOrder($0.name, $1.name) }
            text += "\(log.rls) \(log.acl ?? "") " + policies.map { $0.name + " " + ($0.using ?? "") }.joined(separator: ",")
        } else {
            text += "missing"
        }
        return text
    }

    /// The spec's roles that exist: superuser, BYPASSRLS, LOGIN, connection limit, and membership of the admin role.
    func roles(_ roles: Roles) -> String {
        let names = Set(uniqued([roles.owner, roles.app, roles.admin] + roles.readonly + roles.adminMembers))
        return catalog.roles.filter { names.contains($0.name) }.sorted { byteOrder($0.name, $1.name) }.map { r in
            let admin = roles.admin.isEmpty ? "" : " admin=\(r.name == roles.admin || r.memberOf.contains(roles.admin))"
            return "\(r.name) super=\(tf(r.superuser)) bypassrls=\(tf(r.bypassRLS)) login=\(tf(r.login)) connlimit=\(r.connectionLimit)" + admin
        }.joined(separator: "\n")
    }

    /// A legacy function's definition and ACL, found as `to_regprocedure` finds its signature.
    func legacy(_ legacy: LegacyFunction) -> String {
        guard let parts = legacy.parts else { return "missing" }
        let types = parts.arguments.map(Self.argumentType)
        guard let f = catalog.functions.first(where: { $0.schema == parts.schema && $0.name == parts.name && $0.argumentTypes == types }) else { return "missing" }
        return (f.definition ?? "") + "\nacl=" + (f.acl ?? "")
    }

    /// A rollup's view (kind, owner, options, ACL, query), then its private materialized view (kind, owner, ACL,
    /// populated, comment, indexes).
    func rollup(_ rollup: Rollup, privateSchema: String) -> String {
        var text = "missing"
        if let v = catalog.table(rollup.qualifiedName) {
            text = "\(v.kind) owner=\(v.owner) options=\(Self.arrayText(v.options)) acl=\(v.acl ?? "")\n" + (["v", "m"].contains(v.kind) ? v.definition ?? "" : "")
        }
        text += "\nmaterialized: "
        if let m = catalog.table(privateSchema + "." + rollup.name) {
            let indexes = catalog.indexes(on: m.qualified).map(\.definition).sorted(by: byteOrder)
            text += "\(m.kind) owner=\(m.owner) acl=\(m.acl ?? "") populated=\(m.populated)\n\(m.comment ?? "")\n" + indexes.joined(separator: "\n")
        } else {
            text += "missing"
        }
        return text
    }
}

/// A boolean as `format('%s', …)` prints it (`t`, `f`); `||` and `::text` print `true` and `false`.
func tf(_ value: Bool) -> String { value ? "t" : "f" }

/// PostgreSQL's order of `name` values (collation C): by bytes.
func byteOrder(_ a: String, _ b: String) -> Bool { a.utf8.lexicographicallyPrecedes(b.utf8) }

extension Fingerprints {
    /// A spec's argument type as `format_type` prints it (`int` → `integer`), without a type modifier, which
    /// `to_regprocedure` ignores too.
    static func argumentType(_ raw: String) -> String {
        var type = TypeName.normalize(raw) ?? raw.lowercased()
        var suffix = ""
        if type.hasSuffix("[]") { suffix = "[]"; type = String(type.dropLast(2)) }
        if let open = type.firstIndex(of: "(") { type = String(type[..<open]).trimmingTrailingSpaces() }
        let names = ["int": "integer", "int4": "integer", "int2": "smallint", "int8": "bigint", "float4": "real", "float8": "double precision",
                     "decimal": "numeric", "bool": "boolean", "varchar": "character varying", "char": "character",
                     "timestamptz": "timestamp with time zone", "timestamp": "timestamp without time zone", "timetz": "time with time zone",
                     "time": "time without time zone"]
        return (names[type] ?? type) + suffix
    }

    /// A text array as PostgreSQL prints it (`{a,"b c"}`), empty for none: elements are quoted when empty, `NULL`,
    /// or holding a delimiter, brace, quote, backslash or space.
    static func arrayText(_ elements: [String]) -> String {
        guard !elements.isEmpty else { return "" }
        return "{" + elements.map { e in
            let plain = !e.isEmpty && e.uppercased() != "NULL" && !e.contains(where: { ",{}\"\\".contains($0) || $0.isWhitespace })
            return plain ? e : "\"" + e.replacingOccurrences(of: "\\", with: "\\\\").replacingOccurrences(of: "\"", with: "\\\"") + "\""
        }.joined(separator: ",") + "}"
    }
}
