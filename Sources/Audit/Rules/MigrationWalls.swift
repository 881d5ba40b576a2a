import Foundation

/// Walls a migration file builds: `CREATE [OR REPLACE] VIEW v WITH (security_barrier) AS SELECT … FROM t
/// WHERE … WITH CHECK OPTION`, the walled form of a hypertable (TimescaleDB refuses compression and continuous
/// aggregates with RLS, so the table `t` carries none and the view is the wall). The statement rules do not
/// ask such a table, or the name the view takes, for RLS or policies; the catalog rules (TW137) check that no
/// access role reaches the table by name.
extension MigrationStatement {
    /// The view's name and the one table it reads, when this statement makes a wall view with a check option.
    var wall: (view: String, table: String)? {
        guard statement.kind == "ViewStmt", let check = node["withCheckOption"] as? String, check != "NO_CHECK_OPTION",
              let view = node["view"] as? [String: Any], let viewName = view["relname"] as? String else { return nil }
        let options = (node["options"] as? [[String: Any]] ?? []).compactMap { ($0["DefElem"] as? [String: Any])?["defname"] as? String }
        let select = (node["query"] as? [String: Any])?["SelectStmt"] as? [String: Any]
        let from = (select?["fromClause"] as? [[String: Any]] ?? []).compactMap { $0["RangeVar"] as? [String: Any] }
        guard options.contains("security_barrier"), from.count == 1, let table = from[0]["relname"] as? String else { return nil }
        func qualified(_ rel: [String: Any], _ name: String) -> String { (rel["schemaname"] as? String).map { $0 + "." + name } ?? name }
        return (qualified(view, viewName), qualified(from[0], table))
    }

    /// The tables walled by the statements given (each wall view's name and the table it reads).
    static func walled(in statements: some Sequence<MigrationStatement>) -> [String] {
        statements.compactMap(\.wall).flatMap { [$0.view, $0.table] }
    }

    /// Whether `table` is one of `walled`.
    static func isWalled(_ table: String, _ walled: [String]) -> Bool { walled.contains { sameTable($0, table) } }
}
