/// TW119: a trigger on a protected table whose SECURITY DEFINER function belongs to a role that bypasses RLS.
public struct TriggerRunsAsBypassingRole: AuditRule {
    public let id = "TW119", name = "trigger-bypasses-rls", severity = Severity.warning
    public let title = "trigger on a protected table runs as a role that bypasses RLS"
    public let explanation = "Whatever the trigger reads or writes escapes every policy, on behalf of any tenant that fires it."
    public init() {}
    public func check(_ input: AuditInput) -> [Finding] {
        guard let catalog = input.catalog else { return [] }
        let protected = Set(input.protectedTables.map(\.qualified))
        return catalog.triggers.filter { t in protected.contains(t.table) && t.securityDefiner && (catalog.role(t.functionOwner)?.bypasses ?? false) }.map {
            finding("trigger \($0.name) on \($0.table) runs \($0.function) as \($0.functionOwner), which bypasses RLS", at: .object("trigger", "\($0.table).\($0.name)"))
        }
    }
}
