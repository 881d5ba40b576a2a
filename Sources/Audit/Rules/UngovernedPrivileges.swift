/// TW121: TRUNCATE, REFERENCES, TRIGGER and (PostgreSQL 17+) MAINTAIN are not governed by RLS.
public struct UngovernedPrivileges: AuditRule {
    public let id = "TW121", name = "ungoverned-privilege", severity = Severity.error
    public let title = "TRUNCATE, REFERENCES, TRIGGER or MAINTAIN granted to an application role"
    public let explanation = "TRUNCATE empties every tenant's rows; REFERENCES and foreign keys probe other tenants' keys; TRIGGER runs code on their rows; MAINTAIN (PostgreSQL 17+) lets the role LOCK, VACUUM or REINDEX the whole table. No policy applies to any of them."
    public init() {}
    public func check(_ input: AuditInput) -> [Finding] {
        guard let catalog = input.catalog else { return [] }
        var out: [Finding] = []
        for table in input.protectedTables {
            for privilege in ["TRUNCATE", "REFERENCES", "TRIGGER", "MAINTAIN"] {
                for role in catalog.grantees(table, privilege: privilege) where input.isApp(role) && role != table.owner {
                    out.append(finding("\(role) holds \(privilege) on \(table.qualified)", at: .object("table", table.qualified),
                                       fix: "REVOKE \(privilege) ON \(Fix.table(table.qualified)) FROM \(Fix.ident(role));"))
                }
            }
        }
        return out
    }
}
