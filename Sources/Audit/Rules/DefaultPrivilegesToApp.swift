/// TW129: `ALTER DEFAULT PRIVILEGES` that grants future tables to an application role or PUBLIC: every table
/// created later starts readable (or writable) before anyone has written its policies.
public struct DefaultPrivilegesToApp: AuditRule {
    public let id = "TW129", name = "default-privileges-to-app", severity = Severity.error
    public let title = "default privileges grant future tables to an application role or PUBLIC"
    public let explanation = "A table created later is granted at once, with RLS off until a migration enables it: for that window every tenant's rows in it are open. Grant each table explicitly, with its policies."
    public init() {}
    public func check(_ input: AuditInput) -> [Finding] {
        guard let catalog = input.catalog else { return [] }
        let grouped = Dictionary(grouping: catalog.defaultPrivileges.filter { $0.grantee == "PUBLIC" || input.isApp($0.grantee) }) { "\($0.owner)|\($0.schema)|\($0.grantee)" }
        return grouped.sorted { $0.key < $1.key }.map { _, grants in
            let g = grants[0], privileges = grants.map(\.privilege).sorted()
            let scope = g.schema.isEmpty ? "" : " IN SCHEMA \(Fix.ident(g.schema))"
            let grantee = g.grantee == "PUBLIC" ? "PUBLIC" : Fix.ident(g.grantee)
            return finding("tables that \(g.owner) creates\(g.schema.isEmpty ? "" : " in \(g.schema)") are granted \(privileges.joined(separator: ", ")) to \(g.grantee) by default",
                           at: .object("default privileges", "\(g.owner)\(g.schema.isEmpty ? "" : "." + g.schema)"),
                           fix: "ALTER DEFAULT PRIVILEGES FOR ROLE \(Fix.ident(g.owner))\(scope) REVOKE ALL ON TABLES FROM \(grantee);")
        }
    }
}
