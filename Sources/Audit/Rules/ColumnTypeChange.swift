/// TW505: changing a column's type usually rewrites the table under an ACCESS EXCLUSIVE lock.
public struct ColumnTypeChange: AuditRule {
    public let id = "TW505", name = "column-type-change", severity = Severity.warning
    public let title = "column type change"
    public let explanation = "Most type changes rewrite the table and its indexes while every read and write waits."
    public init() {}
    public func check(_ input: AuditInput) -> [Finding] {
        MigrationStatement.all(input).flatMap { s in
            s.alterCommands.filter { $0["subtype"] as? String == "AT_AlterColumnType" }.map {
                finding("\(s.relation ?? "?").\($0["name"] as? String ?? "?") changes type", at: s.location)
            }
        }
    }
}
