import Quoting
/// TW124: a policy, or a function it calls, that compares a setting with a constant: a switch any session
/// flips with `SET app.admin_mode = 'on'`.
public struct ForgeableSetting: AuditRule {
    public let id = "TW124", name = "forgeable-setting", severity = Severity.error
    public let title = "policy trusts a setting any session can set"
    public let explanation = "Any role can SET any custom setting, so a policy that grants access when a setting has some value grants it to whoever can run SQL. Admin rights must come from role membership or a signed token."
    public init() {}

    /// `current_setting('name' …) = '…'` (or `<>`, `IN`) in a function body.
    static let switchInBody = #"current_setting\s*\(\s*'([^']+)'[^)]*\)\s*(::\s*\w+\s*)?(=|<>|!=|\bIN\b)\s*[('"]"#

    public func check(_ input: AuditInput) -> [Finding] {
        var out: [Finding] = []
        for p in input.parsedPolicies {
            var settings = Set([p.using, p.check].compactMap { $0 }.flatMap(\.settingSwitches))
            for function in input.functionsCalled(by: p) {
                settings.formUnion(function.body?.matches(of: Self.switchInBody) ?? [])
            }
            if !settings.isEmpty {
                out.append(finding("policy \(p.policy.name) on \(p.policy.table) grants access on the value of \(settings.sorted().joined(separator: ", ")), which any session can SET",
                                   at: .object("policy", "\(p.policy.table).\(p.policy.name)"),
                                   fix: "grant that access through a role the application is not a member of (a policy TO that role), or tenantwall's admin mode"))
            }
        }
        return out
    }
}
