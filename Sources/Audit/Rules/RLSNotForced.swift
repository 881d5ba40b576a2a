/// TW104: RLS enabled but not forced: the owner, and anyone connecting as it, bypasses it.
public struct RLSNotForced: AuditRule {
    public let id = "TW104", name = "rls-not-forced", severity = Severity.warning
    public let title = "row-level security is not forced"
    public let explanation = "Table owners bypass RLS unless it is forced; a job or migration connecting as the owner sees every tenant."
    public init() {}
    public func check(_ input: AuditInput) -> [Finding] {
        input.tenantTables.filter { $0.rls && !$0.forced }.map {
            finding("\($0.qualified): row-level security is enabled but not forced, so its owner \($0.owner) bypasses it",
                    at: .object("table", $0.qualified), fix: "ALTER TABLE \(Fix.table($0.qualified)) FORCE ROW LEVEL SECURITY;")
        }
    }
}
