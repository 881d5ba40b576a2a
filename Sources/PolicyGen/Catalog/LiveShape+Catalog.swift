import Catalog

extension LiveShape {
    /// What changes how indexes are built on the spec's tables, from the one catalog model: which exist, which
    /// already have a valid, non-partial index leading with their scope column, each partitioned table's leaf
    /// partitions (in `pg_partition_tree`'s order: level by level, each table's partitions oldest first), and the
    /// indexes on each table and its partitions, INVALID ones apart.
    public init(catalog: DatabaseCatalog, spec: Spec) {
        self.init()
        for table in spec.tables {
            // A walled hypertable's rows and indexes are its storage's (or, before it moves, the table's at its name).
            let found = table.isWalled ? Fingerprints(catalog: catalog).storage(table, tenancy: spec.tenancy) : catalog.table(table.qualifiedName)
            guard let t = found else { continue }
            tables.insert(table.qualifiedName)
            let scope = table.scopeColumn(tenancy: spec.tenancy) ?? ""
            if catalog.indexes(on: t.qualified).contains(where: { $0.valid && !$0.partial && $0.columns.first == scope }) { tenantIndexed.insert(table.qualifiedName) }
            let tree = Self.partitionTree(catalog, root: t)
            let leaves = tree.filter { $0.kind != "p" }
            if !leaves.isEmpty { partitions[t.qualified] = leaves.map { ($0.schema, $0.name) } }
            for relation in [t] + tree {
                for index in catalog.indexes(on: relation.qualified) {
                    let name = relation.schema + "." + index.name
                    indexes.insert(name)
                    if !index.valid { invalidIndexes.insert(name) }
                }
            }
        }
    }

    /// The partitions below `root`, breadth first, each table's own by OID (as PostgreSQL's
    /// `find_all_inheritors` lists them); none for a table that is neither partitioned nor a partition.
    static func partitionTree(_ catalog: DatabaseCatalog, root: DatabaseCatalog.Table) -> [DatabaseCatalog.Table] {
        guard root.kind == "p" || root.isPartition else { return [] }
        var out: [DatabaseCatalog.Table] = [], queue = [root], seen: Set<String> = [root.qualified]
        while !queue.isEmpty {
            let table = queue.removeFirst()
            for child in catalog.children(of: table.qualified).sorted(by: { (Int($0.oid) ?? 0) < (Int($1.oid) ?? 0) }) where seen.insert(child.qualified).inserted {
                out.append(child)
                queue.append(child)
            }
        }
        return out
    }
}
