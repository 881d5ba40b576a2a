/// TW514: BEGIN, COMMIT or ROLLBACK inside a migration file. The runner gives each file its own transaction;
/// a COMMIT in the middle would commit half a file and leave its history row behind.
public struct TransactionControlInFile: AuditRule {
    public let id = "TW514", name = "transaction-control", severity = Severity.error
    public let title = "transaction control inside a migration file"
    public let explanation = "tenantwall runs each file in one transaction with its history row; a COMMIT inside it would split the file, so migrate refuses it."
    public init() {}
    public func check(_ input: AuditInput) -> [Finding] {
        MigrationStatement.all(input).compactMap { s in
            guard s.statement.kind == "TransactionStmt" else { return nil }
            let kind = (s.node["kind"] as? String ?? "").replacingOccurrences(of: "TRANS_STMT_", with: "")
            return finding("\(kind) inside a migration file", at: s.location,
                           fix: "remove it; for statements that cannot run in a transaction, mark the file -- tenantwall:no-transaction")
        }
    }
}
