/// TW106: `USING (true)` or a buried `OR true` grants every row (a policy for the table's owner alone aside).
public struct PolicyAlwaysTrue: AuditRule {
    public let id = "TW106", name = "policy-always-true", severity = Severity.error
    public let title = "policy predicate is always true"
    public let explanation = "A constant true, or an OR branch that is true, makes the policy grant every row of every tenant."
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
        // A policy for the table's owner alone (`owner_access: all`) opens nothing the owner could not open itself.
        let ownerPolicy = { (p: AuditCatalog.Policy) in input.catalog?.isOwnerPolicy(p) ?? false }
        return input.parsedPolicies.filter { protected.contains($0.policy.table) && $0.policy.permissive && !ownerPolicy($0.policy) }.compactMap { p in
            let parts = [("USING", p.using), ("WITH CHECK", p.check)].filter { $0.1.map { $0.constantTrue || $0.trueBranch } ?? false }
            guard !parts.isEmpty else { return nil }
            return finding("policy \(p.policy.name) on \(p.policy.table): \(parts.map(\.0).joined(separator: " and ")) is always true (\(parts[0].1!.text))",
                           at: .object("policy", "\(p.policy.table).\(p.policy.name)"))
        }
    }
}
