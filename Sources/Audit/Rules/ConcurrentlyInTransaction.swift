/// TW502: CONCURRENTLY inside a transaction fails at run time.
public struct ConcurrentlyInTransaction: AuditRule {
    public let id = "TW502", name = "concurrently-in-transaction", severity = Severity.error
    public let title = "CONCURRENTLY in a migration that runs in a transaction"
    public let explanation = "CREATE/DROP INDEX CONCURRENTLY and REINDEX CONCURRENTLY cannot run inside a transaction block; the deploy fails at that file."
    public init() {}
    public func check(_ input: AuditInput) -> [Finding] {
        MigrationStatement.all(input).compactMap { s in
            guard s.migration.file.directives.transactional, let what = concurrently(s) else { return nil }
            return finding("\(what) CONCURRENTLY in a transactional file", at: s.location, fix: "add the line -- tenantwall:no-transaction to the file")
        }
    }

    /// The statement's words before CONCURRENTLY when it runs concurrently; REINDEX says so in its options list.
    func concurrently(_ s: MigrationStatement) -> String? {
        switch s.statement.kind {
        case "IndexStmt" where s.node["concurrent"] as? Bool == true: return "CREATE INDEX"
        case "DropStmt" where s.node["concurrent"] as? Bool == true: return "DROP INDEX"
        case "ReindexStmt" where strings(in: s.node["params"] ?? [], keys: ["defname"]).contains("concurrently"): return "REINDEX"
        default: return nil
        }
    }
}
