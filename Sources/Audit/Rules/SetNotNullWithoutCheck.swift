/// TW512: `SET NOT NULL` on an existing table scans it under an ACCESS EXCLUSIVE lock, unless a validated
/// `CHECK (column IS NOT NULL)` already proves it (PostgreSQL 12+ then skips the scan).
public struct SetNotNullWithoutCheck: AuditRule {
    public let id = "TW512", name = "set-not-null-without-check", severity = Severity.warning
    public let title = "SET NOT NULL without a validated CHECK constraint"
    public let explanation = "Without a validated CHECK (col IS NOT NULL), PostgreSQL scans the whole table while holding ACCESS EXCLUSIVE: reads and writes wait."
    public init() {}
    public func check(_ input: AuditInput) -> [Finding] {
        let all = MigrationStatement.all(input)
        return all.enumerated().flatMap { i, s -> [Finding] in
            guard s.statement.kind == "AlterTableStmt", let table = s.relation, !MigrationStatement.createdBefore(all, index: i).contains(table) else { return [] }
            // A VALIDATE CONSTRAINT on the table earlier in the pending migrations is taken as the proving CHECK.
            let validated = all[..<i].contains { earlier in
                earlier.relation.map { MigrationStatement.sameTable($0, table) } == true
                    && earlier.alterCommands.contains { $0["subtype"] as? String == "AT_ValidateConstraint" }
            }
            guard !validated else { return [] }
            return s.alterCommands.filter { $0["subtype"] as? String == "AT_SetNotNull" }.map { cmd in
                finding("SET NOT NULL on \(table).\(cmd["name"] as? String ?? "?") scans the table under an exclusive lock", at: s.location,
                        fix: "ADD CONSTRAINT … CHECK (col IS NOT NULL) NOT VALID; VALIDATE CONSTRAINT …; then SET NOT NULL (no scan), and drop the CHECK")
            }
        }
    }
}
