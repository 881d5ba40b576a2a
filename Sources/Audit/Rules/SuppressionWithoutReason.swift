/// TW500: a suppression comment must say why.
public struct SuppressionWithoutReason: AuditRule {
    public let id = "TW500", name = "suppression-without-reason", severity = Severity.error
    public let title = "suppression without a reason"
    public let explanation = "`-- tenantwall:allow TWnnn reason: …` needs its reason, so reviewers can judge it later."
    public init() {}
    public func check(_ input: AuditInput) -> [Finding] {
        input.migrations.flatMap { m in
            m.suppressions.filter { $0.reason.isEmpty }.map {
                finding("tenantwall:allow \($0.ruleId) has no reason", at: .file(m.path, line: $0.line))
            }
        }
    }
}
