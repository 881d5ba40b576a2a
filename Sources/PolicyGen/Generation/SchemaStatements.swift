import Quoting
/// Creates the helper schema and every table schema, owned by the owner role, usable by the access roles;
/// and the schemas that hold hypertable chunks.
struct SchemaStatements {
    let spec: Spec

    var schemas: [String] { uniqued([spec.tenancy.helperSchema] + spec.tables.map(\.schema) + spec.rollups.map(\.viewSchema)) }

    func statements() -> [Statement] {
        let access = SQL.identList(uniqued(spec.roles.accessRoles))
        return schemas.flatMap { schema -> [Statement] in
            var out = [Statement(.schema(schema), "CREATE SCHEMA IF NOT EXISTS \(SQL.ident(schema))")]
            if schema != "public" {
                out.append(Statement(.schema(schema), "ALTER SCHEMA \(SQL.ident(schema)) OWNER TO \(SQL.ident(spec.roles.owner))"))
            }
            out.append(Statement(.schema(schema), "GRANT USAGE ON SCHEMA \(SQL.ident(schema)) TO \(access)"))
            if spec.tenancy.citus {
                // Shard moves, splits and isolate_tenant_to_new_shard create the new shards as the table owner.
                out.append(Statement(.schema(schema), "GRANT USAGE, CREATE ON SCHEMA \(SQL.ident(schema)) TO \(SQL.ident(spec.roles.owner))",
                                     comment: "Citus creates the shards of moves and splits as the table owner."))
            }
            return out
        } + chunkSchemaStatements() + rollupSchemaStatements() + walledSchemaStatements()
    }

    /// The private schema of the rollups' materialized views: the owner's alone (no RLS applies to a
    /// materialized view, so no access role may even name one).
    func rollupSchemaStatements() -> [Statement] {
        guard !spec.rollups.isEmpty else { return [] }
        let schema = Rollup.privateSchema(tenancy: spec.tenancy), key = ObjectKey.schema(schema), name = SQL.ident(schema)
        return [
            Statement(key, "CREATE SCHEMA IF NOT EXISTS \(name)", comment: "Materialized views of the rollups; read through their walled views only."),
            Statement(key, "ALTER SCHEMA \(name) OWNER TO \(SQL.ident(spec.roles.owner))"),
            Statement(key, "REVOKE ALL ON SCHEMA \(name) FROM PUBLIC, \(SQL.identList(uniqued(spec.roles.accessRoles)))"),
        ]
    }

    /// The walled schema: walled hypertables' storage and their continuous aggregates, the owner's alone (no
    /// access role may name anything in it; the walls are views elsewhere).
    func walledSchemaStatements() -> [Statement] {
        guard spec.tables.contains(where: \.isWalled) else { return [] }
        let schema = Hypertable.walledSchema(tenancy: spec.tenancy), key = ObjectKey.schema(schema), name = SQL.ident(schema)
        return [
            Statement(key, "CREATE SCHEMA IF NOT EXISTS \(name)", comment: "Walled hypertables and their continuous aggregates; read and written through their wall views only."),
            Statement(key, "ALTER SCHEMA \(name) OWNER TO \(SQL.ident(spec.roles.owner))"),
            Statement(key, "REVOKE ALL ON SCHEMA \(name) FROM PUBLIC, \(SQL.identList(uniqued(spec.roles.accessRoles)))"),
        ]
    }

    /// Chunk schemas: TimescaleDB creates each hypertable's chunks there (`associated_schema_name`). Read-only
    /// roles and PUBLIC get no USAGE, so naming a chunk fails at once with 42501. Roles that write through the
    /// hypertable need USAGE (TimescaleDB looks an existing chunk up by its qualified name, with the caller's
    /// schema privileges), and are kept out of the chunks themselves by privileges instead (see GrantStatements).
    func chunkSchemaStatements() -> [Statement] {
        let hypertables = spec.tables.filter { $0.hypertable != nil }
        let chunkSchemas = uniqued(hypertables.map { $0.hypertable!.chunkSchema(tenancy: spec.tenancy) })
        return chunkSchemas.flatMap { schema -> [Statement] in
            let key = ObjectKey.schema(schema), name = SQL.ident(schema)
            let writers = uniqued(hypertables.filter { $0.hypertable!.chunkSchema(tenancy: spec.tenancy) == schema }.flatMap { table in
                table.grants.filter { $0.commands.contains(.insert) || $0.commands.contains(.update) }.map(\.role)
            })
            var out = [
                Statement(key, "CREATE SCHEMA IF NOT EXISTS \(name)", comment: "Chunks of the hypertables; no role outside those that write through a hypertable can name one."),
                Statement(key, "ALTER SCHEMA \(name) OWNER TO \(SQL.ident(spec.roles.owner))"),
                Statement(key, "REVOKE ALL ON SCHEMA \(name) FROM PUBLIC, \(SQL.identList(uniqued(spec.roles.accessRoles)))"),
            ]
            if !writers.isEmpty {
                out.append(Statement(key, "GRANT USAGE ON SCHEMA \(name) TO \(SQL.identList(writers))",
                                     comment: "TimescaleDB resolves an existing chunk by name, with the writer's schema privileges, when it inserts."))
            }
            return out
        }
    }
}
