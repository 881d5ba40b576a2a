/// TW122: privileges on a protected table granted to PUBLIC reach every role, present and future.
public struct GrantToPublic: AuditRule {
    public let id = "TW122", name = "grant-to-public", severity = Severity.error
    public let title = "privilege on a protected table granted to PUBLIC"
    public let explanation = "PUBLIC includes every role ever created, including ones no policy was written for."
    public init() {}
    public func check(_ input: AuditInput) -> [Finding] {
        guard let catalog = input.catalog else { return [] }
        return input.protectedTables.compactMap { table in
            let privileges = ["SELECT", "INSERT", "UPDATE", "DELETE", "TRUNCATE", "REFERENCES", "TRIGGER"].filter { catalog.grantees(table, privilege: $0).contains("PUBLIC") }
            guard !privileges.isEmpty else { return nil }
            return finding("PUBLIC holds \(privileges.joined(separator: ", ")) on \(table.qualified)", at: .object("table", table.qualified),
                           fix: "REVOKE ALL ON \(Fix.table(table.qualified)) FROM PUBLIC;")
        }
    }
}
