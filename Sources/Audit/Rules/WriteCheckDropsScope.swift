/// TW107: an INSERT/UPDATE path whose check no longer looks at the row, while the read side does.
public struct WriteCheckDropsScope: AuditRule {
    public let id = "TW107", name = "write-without-check", severity = Severity.error
    public let title = "INSERT/UPDATE policy does not check the new row"
    public let explanation = "A WITH CHECK that references no column (or an INSERT policy without one) lets a tenant write rows for any tenant."
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
        return input.parsedPolicies.filter { protected.contains($0.policy.table) && $0.policy.permissive && ["a", "w", "*"].contains($0.policy.command) }.compactMap { p in
            // Without WITH CHECK, UPDATE and ALL policies check with USING: TW110 judges that expression.
            guard let expr = p.check else {
                if p.policy.command != "a" { return nil }
                return finding("policy \(p.policy.name) on \(p.policy.table) (INSERT) has no WITH CHECK", at: .object("policy", "\(p.policy.table).\(p.policy.name)"))
            }
            // Admin-mode policies check the mode, not the row, by design.
            guard expr.columns.isEmpty, !expr.constantTrue, !p.policy.isAdminGate(expr, input) else { return nil }
            return finding("policy \(p.policy.name) on \(p.policy.table): WITH CHECK (\(expr.text)) does not look at the new row",
                           at: .object("policy", "\(p.policy.table).\(p.policy.name)"))
        }
    }
}
