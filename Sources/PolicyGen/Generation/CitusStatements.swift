import Quoting
/// `tenancy.distribution: citus`: tenant tables, and the tenants table by its key, distributed by the tenant
/// column and colocated (Citus's default colocation groups tables of the same distribution type), so that a
/// tenant's rows of every table live on the same node and a query that names the tenant runs on one shard;
/// shared tables as reference tables, copied to every node; exempt tables left on the coordinator.
///
/// Each statement distributes a table once (a table already in `pg_dist_partition` is left alone), after it is
/// created and before its policies, which Citus then creates on every shard, as it does for later `CREATE
/// POLICY`, `ALTER TABLE … FORCE` and `GRANT` and for the shards that splits, moves and
/// `isolate_tenant_to_new_shard` create.
struct CitusStatements {
    let spec: Spec

    func statements() -> [Statement] {
        guard spec.tenancy.citus else { return [] }
        // The tenants table first: every tenant table then joins its colocation group.
        let ordered = spec.tables.filter { $0.isolation == .self } + spec.tables.filter { $0.isolation != .self }
        return ordered.compactMap { table in
            let regclass = SQL.regclass(table.schema, table.name)
            let call: String
            let comment: String
            if let column = table.citusDistributionColumn(tenancy: spec.tenancy) {
                call = "PERFORM create_distributed_table(\(regclass), \(SQL.literal(column)), colocate_with => 'default')"
                comment = "\(table.qualifiedName) distributed by \(column): a tenant's rows live on one shard, colocated with its other tables."
            } else if table.citusPlacement(tenancy: spec.tenancy) == .reference {
                call = "PERFORM create_reference_table(\(regclass))"
                comment = "\(table.qualifiedName) is shared: a reference table, copied to every node."
            } else {
                return nil
            }
            return Statement(.distribution(table.qualifiedName), "DO " + SQL.dollarQuoted("""

                BEGIN
                    IF NOT EXISTS (SELECT 1 FROM pg_catalog.pg_dist_partition WHERE logicalrelid = \(regclass)) THEN
                        \(call);
                    END IF;
                END

                """), comment: comment)
        }
    }
}
