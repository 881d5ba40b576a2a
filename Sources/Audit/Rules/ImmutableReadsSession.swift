import Foundation

/// TW126: a policy calls an IMMUTABLE function that reads session state or tables. The planner may fold an
/// IMMUTABLE call into a constant when it plans, and a cached plan then serves one session's value to another.
public struct ImmutableReadsSession: AuditRule {
    public let id = "TW126", name = "immutable-reads-session", severity = Severity.error
    public let title = "policy calls an IMMUTABLE function that reads session state"
    public let explanation = "IMMUTABLE promises the same result for the same arguments forever; the planner may evaluate it once when planning, so a cached plan keeps the tenant (or role, or time) of the session that planned it."
    public init() {}

    static let sessionState = #"\b(current_setting|current_user|session_user|current_role|now|current_timestamp|pg_backend_pid|txid_current|clock_timestamp)\b|\bFROM\s+[a-z_"]"#

    public func check(_ input: AuditInput) -> [Finding] {
        var out: [Finding] = []
        for p in input.parsedPolicies {
            for function in input.functionsCalled(by: p) where function.volatility == "i" {
                guard let body = function.body, body.range(of: Self.sessionState, options: [.regularExpression, .caseInsensitive]) != nil else { continue }
                out.append(finding("policy \(p.policy.name) on \(p.policy.table) calls \(function.qualified)(\(function.signature)), IMMUTABLE but reading session state or tables",
                                   at: .object("function", "\(function.qualified)(\(function.signature))"),
                                   fix: "ALTER FUNCTION \(Fix.table(function.qualified))(\(function.signature)) STABLE;"))
            }
        }
        return out
    }
}
