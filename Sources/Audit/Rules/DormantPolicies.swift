/// TW102: policies exist but RLS is off, so none of them applies.
public struct DormantPolicies: AuditRule {
    public let id = "TW102", name = "policies-without-rls", severity = Severity.error
    public let title = "policies exist but row-level security is disabled"
    public let explanation = "Policies on a table without RLS are dormant: reviewers see them and believe the table is protected."
    public init() {}
    public func check(_ input: AuditInput) -> [Finding] {
        (input.catalog?.tables ?? []).filter { !$0.rls && !(input.catalog?.policies(on: $0).isEmpty ?? true) }.map {
            finding("\($0.qualified) has \(input.catalog!.policies(on: $0).count) policies but row-level security is disabled",
                    at: .object("table", $0.qualified), fix: "ALTER TABLE \(Fix.table($0.qualified)) ENABLE ROW LEVEL SECURITY, FORCE ROW LEVEL SECURITY;")
        }
    }
}
