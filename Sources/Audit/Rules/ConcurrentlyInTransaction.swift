/// TW502: CONCURRENTLY inside a transaction fails at run time.
public struct ConcurrentlyInTransaction: AuditRule {
    public let id = "TW502", name = "concurrently-in-transaction", severity = Severity.error
    public let title = "CONCURRENTLY in a migration that runs in a transaction"
    public let explanation = "CREATE/DROP INDEX CONCURRENTLY cannot run inside a transaction block; the deploy fails at that file."
    public init() {}
    public func check(_ input: AuditInput) -> [Finding] {
        MigrationStatement.all(input).compactMap { s in
            guard s.migration.file.directives.transactional, ["IndexStmt", "DropStmt"].contains(s.statement.kind), s.node["concurrent"] as? Bool == true else { return nil }
            return finding("\(s.statement.kind == "IndexStmt" ? "CREATE" : "DROP") INDEX CONCURRENTLY in a transactional file", at: s.location,
                           fix: "add the line -- tenantwall:no-transaction to the file")
        }
    }
}
