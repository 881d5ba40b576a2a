/// TW202: a VOLATILE or PARALLEL UNSAFE function in a policy blocks index use or parallel query.
public struct VolatileFunctionInPolicy: AuditRule {
    public let id = "TW202", name = "volatile-function-in-policy", severity = Severity.warning
    public let title = "policy calls a VOLATILE or PARALLEL UNSAFE function"
    public let explanation = "A VOLATILE helper (plpgsql's default) prevents index conditions (a LIMIT 20 query became a 3 s scan); PARALLEL UNSAFE disables parallel query."
    public init() {}
    public func check(_ input: AuditInput) -> [Finding] {
        input.parsedPolicies.compactMap { p in
            let bad = input.functionsCalled(by: p).filter { $0.volatility == "v" || $0.parallel == "u" }
            guard let f = bad.first else { return nil }
            return finding("policy \(p.policy.name) on \(p.policy.table) calls \(f.qualified)(), which is \(f.volatility == "v" ? "VOLATILE" : "PARALLEL UNSAFE")",
                           at: .object("policy", "\(p.policy.table).\(p.policy.name)"),
                           fix: "ALTER FUNCTION \(Fix.table(f.qualified))(\(f.signature)) STABLE PARALLEL SAFE;")
        }
    }
}
