/// TW501: `CREATE INDEX` without CONCURRENTLY blocks writes to an existing table while it builds.
public struct IndexWithoutConcurrently: AuditRule {
    public let id = "TW501", name = "index-not-concurrent", severity = Severity.warning
    public let title = "index created without CONCURRENTLY on an existing table"
    public let explanation = "A plain CREATE INDEX holds a SHARE lock: every write to the table waits until the index is built."
    public init() {}
    public func check(_ input: AuditInput) -> [Finding] {
        let all = MigrationStatement.all(input)
        return all.enumerated().compactMap { i, s in
            guard s.statement.kind == "IndexStmt", s.node["concurrent"] as? Bool != true, let table = s.relation,
                  !MigrationStatement.createdBefore(all, index: i).contains(table) else { return nil }
            return finding("CREATE INDEX on \(table) without CONCURRENTLY", at: s.location,
                           fix: "CREATE INDEX CONCURRENTLY … in a file marked -- tenantwall:no-transaction")
        }
    }
}
