/// TW508: DDL on existing tables with no lock_timeout can queue behind a long query and block everyone.
public struct MissingLockTimeout: AuditRule {
    public let id = "TW508", name = "missing-lock-timeout", severity = Severity.info
    public let title = "DDL without lock_timeout"
    public let explanation = "A DDL statement waiting for its lock blocks every query behind it. tenantwall migrate sets lock_timeout (10s by default); other runners may not."
    public init() {}
    public func check(_ input: AuditInput) -> [Finding] {
        let all = MigrationStatement.all(input)
        return input.migrations.compactMap { m in
            let statements = all.filter { $0.migration.path == m.path }
            let sets = statements.contains { $0.statement.kind == "VariableSetStmt" && $0.node["name"] as? String == "lock_timeout" } || m.file.directives.lockTimeout != nil
            guard !sets, let ddl = statements.first(where: { ["AlterTableStmt", "IndexStmt", "DropStmt", "RenameStmt"].contains($0.statement.kind) }) else { return nil }
            return finding("\(m.file.name) changes existing objects without setting lock_timeout", at: ddl.location,
                           fix: "SET lock_timeout = '5s'; (or -- tenantwall:lock-timeout=5s)")
        }
    }
}
