import Foundation

/// TW126: a policy calls an IMMUTABLE function that reads session state or tables. The planner may fold an
/// IMMUTABLE call into a constant when it plans, and a cached plan then serves one session's value to another.
public struct ImmutableReadsSession: AuditRule {
    public let id = "TW126", name = "immutable-reads-session", severity = Severity.error
    public let title = "policy calls an IMMUTABLE function that reads session state"
    public let explanation = "IMMUTABLE promises the same result for the same arguments forever; the planner may evaluate it once when planning, so a cached plan keeps the tenant (or role, or time) of the session that planned it."
    public init() {}

    static let sessionState = #"\b(current_setting|current_user|session_user|current_role|now|current_timestamp|pg_backend_pid|txid_current|clock_timestamp)\b|\bFROM\s+[a-z_"]"#

    /// The body with the FROMs that read no table taken out: `IS [NOT] DISTINCT FROM`, and the FROM inside
    /// `extract(field FROM d)`, `substring(s FROM n)`, `trim(… FROM s)`, `overlay`, `position` (without nested
    /// parentheses). What those calls read stays, so `extract(epoch FROM current_timestamp)` still counts.
    static func withoutExpressionFrom(_ body: String) -> String {
        var text = body.replacingOccurrences(of: #"\bDISTINCT\s+FROM\b"#, with: "DISTINCT", options: [.regularExpression, .caseInsensitive])
        guard let calls = try? NSRegularExpression(pattern: #"\b(extract|substring|trim|overlay|position)\s*\([^()]*\)"#, options: [.caseInsensitive]) else { return text }
        for match in calls.matches(in: text, range: NSRange(text.startIndex..., in: text)).reversed() {
            guard let range = Range(match.range, in: text) else { continue }
            text.replaceSubrange(range, with: text[range].replacingOccurrences(of: #"\bFROM\b"#, with: ",", options: [.regularExpression, .caseInsensitive]))
        }
        return text
    }

    public func check(_ input: AuditInput) -> [Finding] {
        var out: [Finding] = []
        for p in input.parsedPolicies {
            for function in input.functionsCalled(by: p) where function.volatility == "i" {
                guard let body = function.body.map(Self.withoutExpressionFrom),
                      body.range(of: Self.sessionState, options: [.regularExpression, .caseInsensitive]) != nil else { continue }
                out.append(finding("policy \(p.policy.name) on \(p.policy.table) calls \(function.qualified)(\(function.signature)), IMMUTABLE but reading session state or tables",
                                   at: .object("function", "\(function.qualified)(\(function.signature))"),
                                   fix: "ALTER FUNCTION \(Fix.table(function.qualified))(\(function.signature)) STABLE;"))
            }
        }
        return out
    }
}
