/// TW110: a predicate that never looks at the row grants all rows or none, per session.
public struct PolicyWithoutRowColumn: AuditRule {
    public let id = "TW110", name = "policy-without-row-column", severity = Severity.error
    public let title = "policy never references a column of its table"
    public let explanation = "A predicate like `current_user = 'x'` is true or false for the whole table: it cannot separate tenants."
    public init() {}
    /// The pattern findings, each with the solver's witness where it has one, and the solver's own (issue #31),
    /// which it adds only on policies no pattern rule reports.
    public func check(_ input: AuditInput) -> [Finding] {
        let semantic = input.semantic
        return patternFindings(input).map(semantic.quote) + semantic.findings(self)
    }

    /// What the policy's parse tree shows alone: the fast path, and what the solver does not repeat.
    func patternFindings(_ input: AuditInput) -> [Finding] {
        let protected = Set(input.tenantTables.map(\.qualified))
        return input.parsedPolicies.filter { protected.contains($0.policy.table) && $0.policy.permissive }.compactMap { p in
            guard let using = p.using, using.columns.isEmpty, !using.constantTrue, !using.trueBranch else { return nil }
            // Admin-mode policies are this shape by design: they grant the table to a role in a mode.
            if p.policy.isAdminGate(using, input) { return nil }
            return finding("policy \(p.policy.name) on \(p.policy.table) does not look at the row: \(using.text)", at: .object("policy", "\(p.policy.table).\(p.policy.name)"))
        }
    }
}
