/// Table privileges exactly as the spec says: everything revoked from PUBLIC and the access roles, then
/// the listed commands granted. TRUNCATE, REFERENCES and TRIGGER are never granted: RLS does not govern them.
struct GrantStatements {
    let spec: Spec
    let table: Table

    func statements() -> [Statement] {
        let relation = SQL.qualified(table.schema, table.name)
        let key = ObjectKey.grants(table.qualifiedName)
        var out = [Statement(key, "REVOKE ALL ON TABLE \(relation) FROM PUBLIC, \(SQL.identList(uniqued(spec.roles.accessRoles)))")]
        for (role, commands) in table.grants where !commands.isEmpty {
            out.append(Statement(key, "GRANT \(commands.map(\.sql).joined(separator: ", ")) ON TABLE \(relation) TO \(SQL.ident(role))"))
        }
        return out
    }
}
