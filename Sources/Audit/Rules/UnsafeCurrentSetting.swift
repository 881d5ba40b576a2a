import PolicyGen
import Quoting

/// TW109: `current_setting(x)` raises when unset; `current_setting(x, true)::uuid` raises on `''`.
public struct UnsafeCurrentSetting: AuditRule {
    public let id = "TW109", name = "unsafe-current-setting", severity = Severity.warning
    public let title = "current_setting without missing_ok, or cast without handling ''"
    public let explanation = "current_setting(name) raises when the setting was never set, and ''::uuid raises after SET/RESET: errors instead of zero rows, and brittle pooled sessions."
    public init() {}
    public func check(_ input: AuditInput) -> [Finding] {
        input.parsedPolicies.compactMap { p in
            let exprs = [p.using, p.check].compactMap { $0 }
            let noMissingOk = exprs.contains { $0.calls.contains { $0.name == "current_setting" && $0.arguments < 2 } }
            let cast = exprs.contains(where: \.castWithoutEmptyHandling)
            guard noMissingOk || cast else { return nil }
            let why = [noMissingOk ? "current_setting() without missing_ok" : nil, cast ? "a cast that raises on ''" : nil].compactMap { $0 }.joined(separator: " and ")
            // The fix names the policy's own setting and type (a database tenantwall did not write has its own).
            let context = exprs.lazy.flatMap(\.contextComparisons).first
            let reader = "NULLIF(current_setting(\(SQL.literal(context?.setting ?? "app.current_tenant_id")), true), '')" + (context.map { $0.type.map { "::" + $0 } ?? "" } ?? "::<type>")
            return finding("policy \(p.policy.name) on \(p.policy.table) uses \(why)", at: .object("policy", "\(p.policy.table).\(p.policy.name)"),
                           fix: "use \(reader), or tenantwall's current_tenant_id()")
        }
    }
}
