/// TW509: a migration that turns RLS off or drops a policy.
public struct DisablesIsolation: AuditRule {
    public let id = "TW509", name = "disables-isolation", severity = Severity.error
    public let title = "migration disables row-level security or drops a policy"
    public let explanation = "Between this migration and the next, the table may be open to every tenant."
    public init() {}
    public func check(_ input: AuditInput) -> [Finding] {
        MigrationStatement.all(input).flatMap { s -> [Finding] in
            if s.statement.kind == "DropStmt", s.node["removeType"] as? String == "OBJECT_POLICY" {
                return [finding("DROP POLICY", at: s.location)]
            }
            return s.alterCommands.filter { ["AT_DisableRowSecurity", "AT_NoForceRowSecurity"].contains($0["subtype"] as? String ?? "") }.map {
                finding("\(s.relation ?? "?"): \(($0["subtype"] as? String) == "AT_DisableRowSecurity" ? "DISABLE" : "NO FORCE") ROW LEVEL SECURITY", at: s.location)
            }
        }
    }
}
