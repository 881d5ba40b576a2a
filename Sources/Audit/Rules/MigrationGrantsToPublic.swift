/// TW515: a migration grants a table privilege to PUBLIC: every role, present and future, gets it.
public struct MigrationGrantsToPublic: AuditRule {
    public let id = "TW515", name = "migration-grant-to-public", severity = Severity.error
    public let title = "migration grants a table privilege to PUBLIC"
    public let explanation = "PUBLIC includes every role ever created, including ones no policy was written for (TW122 finds the result in a live catalog)."
    public init() {}
    public func check(_ input: AuditInput) -> [Finding] {
        MigrationStatement.all(input).compactMap { s in
            guard s.statement.kind == "GrantStmt", s.node["is_grant"] as? Bool == true, s.node["objtype"] as? String == "OBJECT_TABLE",
                  strings(in: s.node["grantees"] ?? [], keys: ["roletype"]).contains("ROLESPEC_PUBLIC") else { return nil }
            return finding("GRANT … TO PUBLIC on a table", at: s.location, fix: "grant to the application's roles by name")
        }
    }
}
