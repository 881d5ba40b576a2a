/// TW105: a permissive policy for PUBLIC applies to every role, including ones added later.
public struct PolicyToPublic: AuditRule {
    public let id = "TW105", name = "policy-to-public", severity = Severity.error
    public let title = "permissive policy granted to PUBLIC"
    public let explanation = "A permissive policy TO PUBLIC applies to every role that ever gets a grant, not only the application."
    public init() {}
    public func check(_ input: AuditInput) -> [Finding] {
        (input.catalog?.policies ?? []).filter { $0.permissive && $0.roles.contains("public") }.map {
            finding("policy \($0.name) on \($0.table) applies to PUBLIC", at: .object("policy", "\($0.table).\($0.name)"),
                    fix: "ALTER POLICY \(Fix.ident($0.name)) ON \(Fix.table($0.table)) TO <application role>;")
        }
    }
}
