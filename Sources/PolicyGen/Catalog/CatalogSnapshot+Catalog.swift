import Catalog

/// A plan's fingerprints as a pure function of the one catalog model and the spec: the objects the spec
/// manages, each as the text the planner compares and shows (`- now`, `+ after`).
///
/// The texts are those the server-side query that came before this rendered, key by key (the integration test
/// `CatalogSnapshotEquivalenceTests` keeps that query as the reference): lists are in the order that query gave
/// them, names in byte order, as PostgreSQL orders `name` values. Usage:
///
///     let live = CatalogSnapshot(catalog: try CatalogReader.read(connection), spec: spec)
extension CatalogSnapshot {
    public init(catalog: DatabaseCatalog, spec: Spec) {
        var objects: [String: String] = [:]
        let print = Fingerprints(catalog: catalog)
        for table in spec.tables {
            if table.isWalled {
                objects.merge(print.walled(table, spec: spec)) { $1 }
                continue
            }
            guard let t = catalog.table(table.qualifiedName) else { continue }
            let q = t.qualified
            objects["table " + q] = print.table(t)
            objects["row security " + q] = "enabled=\(t.rls) forced=\(t.forced)"
            objects["policies " + q] = print.policies(t)
            objects["grants " + q] = print.grants(t)
            for index in catalog.indexes(on: q) {
                objects["index \(index.name) on \(q)"] = index.definition + (index.valid ? "" : " (INVALID)")
            }
            objects["time series " + q] = print.children(t)
        }
        let walled = spec.tables.contains(where: \.isWalled) ? [Hypertable.walledSchema(tenancy: spec.tenancy)] : []
        let schemas = uniqued([spec.tenancy.helperSchema] + spec.tables.map(\.schema) + spec.tables.compactMap { $0.hypertable?.chunkSchema(tenancy: spec.tenancy) } + walled)
        for name in schemas {
            guard let schema = catalog.schema(name) else { continue }
            objects["schema " + name] = "owner=\(schema.owner) acl=\(schema.acl ?? "")"
        }
        objects["helper functions"] = print.helpers(schema: spec.tenancy.helperSchema)
        objects["roles"] = print.roles(spec.roles)
        for legacy in spec.legacyFunctions {
            objects["legacy function " + legacy.signature] = print.legacy(legacy)
        }
        if let guard_ = catalog.eventTriggers.first(where: { $0.name == "tenantwall_secure_partitions" }) {
            objects["partition guard"] = guard_.enabled + " " + guard_.function
        }
        for rollup in spec.rollups {
            objects["rollup " + rollup.qualifiedName] = print.rollup(rollup, privateSchema: Rollup.privateSchema(tenancy: spec.tenancy))
        }
        self.init(objects: objects)
    }
}
