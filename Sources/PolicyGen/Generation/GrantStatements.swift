import Quoting
/// Table privileges exactly as the spec says: everything revoked from PUBLIC and the access roles, then
/// the listed commands granted. TRUNCATE, REFERENCES and TRIGGER are never granted: RLS does not govern them.
///
/// On hypertables the grants are column-level (every column): TimescaleDB copies a hypertable's table-level
/// ACL to each chunk it creates, but not its column privileges, so a new chunk carries no privilege of any
/// access role from the instant it exists, while reads and writes through the hypertable work as before.
/// (DELETE has no column-level form; the spec refuses it on hypertables.)
struct GrantStatements {
    let spec: Spec
    let table: Table

    func statements() -> [Statement] {
        let relation = SQL.qualified(table.schema, table.name)
        let key = ObjectKey.grants(table.qualifiedName)
        var out = [Statement(key, "REVOKE ALL ON TABLE \(relation) FROM PUBLIC, \(SQL.identList(uniqued(spec.roles.accessRoles)))")]
        let columns = "(" + SQL.identList(table.columns.map(\.name)) + ")"
        for (role, commands) in table.grants where !commands.isEmpty {
            let privileges = commands.map { table.hypertable == nil || $0 == .delete ? $0.sql : $0.sql + " " + columns }
            out.append(Statement(key, "GRANT \(privileges.joined(separator: ", ")) ON TABLE \(relation) TO \(SQL.ident(role))",
                                 comment: table.hypertable != nil && role == table.grants.first?.role
                                    ? "Column-level: TimescaleDB copies table-level privileges to new chunks, not column privileges." : nil))
        }
        return out
    }
}
