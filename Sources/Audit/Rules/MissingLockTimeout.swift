/// TW508: DDL on existing tables with no lock_timeout can queue behind a long query and block everyone.
public struct MissingLockTimeout: AuditRule {
    public let id = "TW508", name = "missing-lock-timeout", severity = Severity.info
    public let title = "DDL without lock_timeout"
    public let explanation = "A DDL statement waiting for its lock blocks every query behind it. tenantwall migrate sets lock_timeout (10s by default); other runners may not."
    public init() {}
    public func check(_ input: AuditInput) -> [Finding] {
        let all = MigrationStatement.all(input)
        return input.migrations.compactMap { m in
            let statements = all.enumerated().filter { $0.element.migration.path == m.path }
            let sets = statements.contains { $0.element.statement.kind == "VariableSetStmt" && $0.element.node["name"] as? String == "lock_timeout" } || m.file.directives.lockTimeout != nil
            // DDL on a table the pending migrations just created waits for nobody.
            guard !sets, let ddl = statements.first(where: { i, s in
                ["AlterTableStmt", "IndexStmt", "DropStmt", "RenameStmt"].contains(s.statement.kind)
                    && !(s.relation.map { MigrationStatement.createdBefore(all, index: i).contains($0) } ?? false)
            })?.element else { return nil }
            return finding("\(m.file.name) changes existing objects without setting lock_timeout", at: ddl.location,
                           fix: "SET lock_timeout = '5s'; (or -- tenantwall:lock-timeout=5s)")
        }
    }
}
