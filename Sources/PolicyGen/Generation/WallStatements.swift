import Quoting
/// The walls of a walled hypertable: the views the access roles read and write through, each owned by the
/// owner, `WITH (security_barrier)`, filtered by `WallPredicate` (the predicate its policies would use).
///
/// - The table's own name: `SELECT <columns> FROM <storage> WHERE <predicate> WITH CASCADED CHECK OPTION`,
///   granted exactly the spec's commands, table-level (the storage grants nothing, so no chunk copies them;
///   DELETE too). An auto-updatable view: INSERT gets the storage's column defaults, RETURNING and ON CONFLICT
///   work; a row of another tenant, inserted or moved by an UPDATE, fails with 44000 (check option).
/// - Each continuous aggregate: a view of its own name over the aggregate in the walled schema, granted SELECT to
///   the roles that may read the table. (The table's `restrict` filters the table's view only: its columns
///   need not be the aggregate's.)
struct WallStatements {
    let spec: Spec
    let table: Table

    var key: ObjectKey { .wall(table.qualifiedName) }
    var owner: String { SQL.ident(spec.roles.owner) }
    var access: String { SQL.identList(uniqued(spec.roles.accessRoles)) }
    var predicate: WallPredicate { WallPredicate(spec: spec, source: table) }

    func statements() -> [Statement] {
        guard let h = table.hypertable, table.isWalled else { return [] }
        return tableWall() + h.continuousAggregates.flatMap(aggregateWall)
    }

    func tableWall() -> [Statement] {
        let view = SQL.qualified(table.schema, table.name), storage = table.storage(tenancy: spec.tenancy)
        var out = [
            Statement(key, """
                CREATE OR REPLACE VIEW \(view) WITH (security_barrier) AS
                    SELECT \(SQL.identList(table.columns.map(\.name)))
                    FROM \(SQL.qualified(storage.schema, storage.name))
                    WHERE \(predicate.condition(requiredReader: true, restrict: true))
                    WITH CASCADED CHECK OPTION
                """, comment: "The wall of \(table.qualifiedName): each tenant reads and writes its own rows of the storage; no context, no rows; a row of another tenant is refused by the check option (SQLSTATE 44000)."),
            Statement(key, "ALTER VIEW \(view) OWNER TO \(owner)"),
            Statement(key, "REVOKE ALL ON TABLE \(view) FROM PUBLIC, \(access)"),
        ]
        for (role, commands) in table.grants where !commands.isEmpty {
            out.append(Statement(key, "GRANT \(commands.map(\.sql).joined(separator: ", ")) ON TABLE \(view) TO \(SQL.ident(role))"))
        }
        return out
    }

    func aggregateWall(_ aggregate: ContinuousAggregate) -> [Statement] {
        let view = SQL.qualified(aggregate.viewSchema(of: table), aggregate.name)
        let readers = uniqued(table.grants.filter { $0.commands.contains(.select) }.map(\.role))
        var out = [
            Statement(key, """
                CREATE OR REPLACE VIEW \(view) WITH (security_barrier) AS
                    SELECT \(SQL.identList(aggregate.columns(tenantColumn: spec.tenancy.column)))
                    FROM \(SQL.qualified(Hypertable.walledSchema(tenancy: spec.tenancy), aggregate.name))
                    WHERE \(predicate.condition(requiredReader: true, restrict: false, adminCommand: .select))
                """, comment: "The wall of the continuous aggregate \(aggregate.name): each tenant reads its own rows; no context, no rows."),
            Statement(key, "ALTER VIEW \(view) OWNER TO \(owner)"),
            Statement(key, "REVOKE ALL ON TABLE \(view) FROM PUBLIC, \(access)"),
        ]
        if !readers.isEmpty {
            out.append(Statement(key, "GRANT SELECT ON TABLE \(view) TO \(SQL.identList(readers))", comment: "The roles that may read \(table.qualifiedName)."))
        }
        return out
    }
}
