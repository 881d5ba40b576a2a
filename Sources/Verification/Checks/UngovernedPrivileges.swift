import PolicyGen
import Quoting

/// Privileges no policy governs. PostgreSQL 17 added MAINTAIN (VACUUM, ANALYZE, REINDEX, REFRESH, LOCK TABLE: a
/// tenant could lock every tenant out of the table); older servers do not know the word.
struct UngovernedPrivileges: TableCheck {
    let info = CheckInfo(id: "no-{truncate,references,trigger,maintain}", tries: "`has_table_privilege` (MAINTAIN from PostgreSQL 17)",
                         passesWhen: "not held (RLS does not govern them; MAINTAIN lets a role LOCK the whole table)")
    let scope = CheckScope.role

    func run(_ probe: TableProbe, _ target: ProbeTarget) throws -> [CheckResult] {
        let version = Int(try probe.connection.query("SELECT pg_catalog.current_setting('server_version_num')").scalar ?? "") ?? 0
        let privileges = ["TRUNCATE", "REFERENCES", "TRIGGER"] + (version >= 170000 ? ["MAINTAIN"] : [])
        return privileges.map { privilege in
            let sql = "SELECT has_table_privilege(\(SQL.literal(target.role)), \(SQL.literal(probe.name)), \(SQL.literal(privilege)))"
            let has = (try? probe.connection.query(sql).scalar) ?? "?"
            var out = probe.result("no-\(privilege.lowercased())", target.role, "-", privilege == "TRUNCATE" ? "TRUNCATE" : "CATALOG",
                                   "\(target.role) cannot \(privilege) (RLS does not govern it)", sql + ";", expected: "f", actual: has, passed: has == "f")
            out.tap = probe.tapCatalog("NOT " + String(sql.dropFirst("SELECT ".count)), "no-\(privilege.lowercased()): \(target.role) cannot \(privilege)")
            return out
        }
    }
}
