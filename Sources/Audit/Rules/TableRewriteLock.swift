/// TW513: VACUUM FULL, CLUSTER and REINDEX without CONCURRENTLY hold an ACCESS EXCLUSIVE lock for the whole
/// rewrite of the table or index.
public struct TableRewriteLock: AuditRule {
    public let id = "TW513", name = "rewrite-under-lock", severity = Severity.warning
    public let title = "VACUUM FULL, CLUSTER or REINDEX without CONCURRENTLY"
    public let explanation = "These rewrite the table or its indexes while every read and write waits; REINDEX CONCURRENTLY exists, and VACUUM FULL and CLUSTER belong in a maintenance window, not a deploy."
    public init() {}
    public func check(_ input: AuditInput) -> [Finding] {
        MigrationStatement.all(input).compactMap { s in
            let options = strings(in: s.node["options"] ?? s.node["params"] ?? [], keys: ["defname"])
            switch s.statement.kind {
            case "VacuumStmt" where options.contains("full"):
                return finding("VACUUM FULL rewrites under an exclusive lock", at: s.location, fix: "plain VACUUM, or pg_repack outside the deploy")
            case "ClusterStmt":
                return finding("CLUSTER rewrites under an exclusive lock", at: s.location, fix: "run it in a maintenance window, or pg_repack")
            case "ReindexStmt" where !options.contains("concurrently"):
                return finding("REINDEX without CONCURRENTLY locks the table", at: s.location, fix: "REINDEX … CONCURRENTLY in a file marked -- tenantwall:no-transaction")
            default: return nil
            }
        }
    }
}
