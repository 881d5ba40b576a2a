/// TW113: the application owns a protected table, so it can turn RLS off.
public struct AppRoleOwnsTable: AuditRule {
    public let id = "TW113", name = "app-role-owns-table", severity = Severity.error
    public let title = "application role owns a protected table"
    public let explanation = "An owner bypasses RLS unless forced, and can run ALTER TABLE … NO FORCE / DISABLE ROW LEVEL SECURITY itself."
    public init() {}
    public func check(_ input: AuditInput) -> [Finding] {
        input.protectedTables.filter { input.isApp($0.owner) }.map {
            finding("\($0.qualified) is owned by application role \($0.owner)", at: .object("table", $0.qualified),
                    fix: "ALTER TABLE \(Fix.table($0.qualified)) OWNER TO <owner role>;")
        }
    }
}
