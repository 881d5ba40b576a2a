/// TW507: dropping or renaming tables and columns breaks the running application version.
public struct DropOrRename: AuditRule {
    public let id = "TW507", name = "drop-or-rename", severity = Severity.warning
    public let title = "table or column dropped or renamed"
    public let explanation = "The version of the application still running during a deploy reads the old name: drop or rename only after nothing uses it."
    public init() {}
    public func check(_ input: AuditInput) -> [Finding] {
        MigrationStatement.all(input).flatMap { s -> [Finding] in
            switch s.statement.kind {
            case "DropStmt" where ["OBJECT_TABLE", "OBJECT_VIEW", "OBJECT_MATVIEW"].contains(s.node["removeType"] as? String ?? ""):
                return [finding("DROP \(((s.node["removeType"] as? String) ?? "").replacingOccurrences(of: "OBJECT_", with: ""))", at: s.location)]
            case "RenameStmt" where ["OBJECT_TABLE", "OBJECT_COLUMN"].contains(s.node["renameType"] as? String ?? ""):
                return [finding("RENAME of \(s.relation ?? "?")\((s.node["subname"] as? String).map { "." + $0 } ?? "") to \(s.node["newname"] as? String ?? "?")", at: s.location)]
            case "AlterTableStmt":
                return s.alterCommands.filter { $0["subtype"] as? String == "AT_DropColumn" }.map {
                    finding("DROP COLUMN \(s.relation ?? "?").\($0["name"] as? String ?? "?")", at: s.location)
                }
            default: return []
            }
        }
    }
}
