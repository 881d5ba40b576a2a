/// TW511: `ADD UNIQUE` / `ADD PRIMARY KEY` on an existing table builds its index under an ACCESS EXCLUSIVE lock.
public struct AddUniqueWithoutIndex: AuditRule {
    public let id = "TW511", name = "add-unique-without-index", severity = Severity.warning
    public let title = "unique or primary key constraint added without USING INDEX"
    public let explanation = "The constraint's index is built while the table is locked against reads and writes; build it first with CREATE UNIQUE INDEX CONCURRENTLY, then ADD CONSTRAINT … USING INDEX."
    public init() {}
    public func check(_ input: AuditInput) -> [Finding] {
        MigrationStatement.constraintsAddedToExistingTables(input).compactMap { s, table, constraint in
            guard ["CONSTR_UNIQUE", "CONSTR_PRIMARY"].contains(constraint["contype"] as? String ?? ""), constraint["indexname"] == nil else { return nil }
            return finding("\(constraint["contype"] as? String == "CONSTR_PRIMARY" ? "primary key" : "unique constraint") on \(table) builds its index under a lock",
                           at: s.location, fix: "CREATE UNIQUE INDEX CONCURRENTLY … (no-transaction file), then ALTER TABLE … ADD CONSTRAINT … UNIQUE USING INDEX …")
        }
    }
}
