/// TW503: adding a NOT NULL column without a default fails on a table with rows.
public struct NotNullWithoutDefault: AuditRule {
    public let id = "TW503", name = "not-null-without-default", severity = Severity.error
    public let title = "NOT NULL column added without a default"
    public let explanation = "On a table that has rows the ALTER fails; on an empty staging table it passes, and production breaks."
    public init() {}
    static let serialTypes: Set<String> = ["smallserial", "serial", "bigserial", "serial2", "serial4", "serial8"]
    public func check(_ input: AuditInput) -> [Finding] {
        let all = MigrationStatement.all(input)
        return all.enumerated().flatMap { i, s -> [Finding] in
            guard s.statement.kind == "AlterTableStmt", let table = s.relation, !MigrationStatement.createdBefore(all, index: i).contains(table) else { return [] }
            return s.alterCommands.filter { $0["subtype"] as? String == "AT_AddColumn" }.compactMap { cmd in
                let column = (cmd["def"] as? [String: Any])?["ColumnDef"] as? [String: Any] ?? [:]
                let kinds = strings(in: column["constraints"] ?? [], keys: ["contype"])
                // An identity, a generated expression or a serial type fills the existing rows as a default does.
                let filled = ["CONSTR_DEFAULT", "CONSTR_IDENTITY", "CONSTR_GENERATED"].contains(where: kinds.contains)
                    || strings(in: column["typeName"] ?? [:], keys: ["sval"]).contains { Self.serialTypes.contains($0.lowercased()) }
                guard kinds.contains("CONSTR_NOTNULL"), !filled else { return nil }
                return finding("\(table).\(column["colname"] as? String ?? "?") is added NOT NULL without a default", at: s.location)
            }
        }
    }
}
