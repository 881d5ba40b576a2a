/// TW301: the live database differs from the spec (policies, RLS flags, grants, indexes, helpers).
public struct Drift: AuditRule {
    public let id = "TW301", name = "drift-from-spec", severity = Severity.error
    public let title = "live database differs from the spec"
    public let explanation = "A hand edit, or a migration that was never generated from the spec: what reviewers read is not what runs."
    public init() {}
    public func check(_ input: AuditInput) -> [Finding] {
        input.drift.map { d in
            finding("\(d.object) \(d.live == nil ? "is missing" : "differs from the spec")", at: .object("object", d.object),
                    fix: "tenantwall plan --spec … --database … prints the SQL that restores it")
        }
    }
}
