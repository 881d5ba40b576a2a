/// Creates the helper schema and every table schema, owned by the owner role, usable by the access roles.
struct SchemaStatements {
    let spec: Spec

    var schemas: [String] { uniqued([spec.tenancy.helperSchema] + spec.tables.map(\.schema)) }

    func statements() -> [Statement] {
        let access = SQL.identList(uniqued(spec.roles.accessRoles))
        return schemas.flatMap { schema -> [Statement] in
            var out = [Statement(.schema(schema), "CREATE SCHEMA IF NOT EXISTS \(SQL.ident(schema))")]
            if schema != "public" {
                out.append(Statement(.schema(schema), "ALTER SCHEMA \(SQL.ident(schema)) OWNER TO \(SQL.ident(spec.roles.owner))"))
            }
            out.append(Statement(.schema(schema), "GRANT USAGE ON SCHEMA \(SQL.ident(schema)) TO \(access)"))
            return out
        }
    }
}
