/// TW103: RLS on with no permissive policy: every query silently returns nothing.
public struct RLSWithoutPolicy: AuditRule {
    public let id = "TW103", name = "rls-without-policy", severity = Severity.warning
    public let title = "row-level security enabled with no permissive policy (deny-all)"
    public let explanation = "PostgreSQL denies everything when no permissive policy applies; usually a forgotten policy that breaks the application quietly."
    public init() {}
    public func check(_ input: AuditInput) -> [Finding] {
        (input.catalog?.tables ?? []).filter { $0.rls && $0.parent == nil && !(input.catalog?.policies(on: $0).contains { $0.permissive } ?? false) }.map {
            finding("\($0.qualified) has row-level security but no permissive policy: every query returns nothing", at: .object("table", $0.qualified))
        }
    }
}
