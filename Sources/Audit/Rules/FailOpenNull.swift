/// TW108: `… IS NULL OR …`: a session without a tenant context is let in.
public struct FailOpenNull: AuditRule {
    public let id = "TW108", name = "fail-open-context", severity = Severity.error
    public let title = "predicate admits rows when the tenant context is missing"
    public let explanation = "An `IS NULL OR` branch on the context turns a missing context (a bug, a new code path, a pooled connection) into access to every tenant."
    public init() {}
    /// The pattern findings, each with the solver's witness where it has one, and the solver's own (issue #31),
    /// which it adds only on policies no pattern rule reports.
    public func check(_ input: AuditInput) -> [Finding] {
        let semantic = input.semantic
        return patternFindings(input).map(semantic.quote) + semantic.findings(self)
    }

    /// What the policy's parse tree shows alone: the fast path, and what the solver does not repeat.
    func patternFindings(_ input: AuditInput) -> [Finding] {
        input.parsedPolicies.compactMap { p in
            // The expression that fails open, USING or WITH CHECK (not USING whenever there is one).
            guard p.policy.permissive, let open = [p.using, p.check].compactMap({ $0 }).first(where: \.failOpen) else { return nil }
            return finding("policy \(p.policy.name) on \(p.policy.table) grants rows when the context IS NULL: \(open.text)",
                           at: .object("policy", "\(p.policy.table).\(p.policy.name)"))
        }
    }
}
