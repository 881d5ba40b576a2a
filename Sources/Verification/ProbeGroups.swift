import PolicyGen
import Postgres
import Quoting

/// Which tables may be probed at the same time. Probing a table writes its probe tenants into the tables its
/// tenant column points at (`ProbeRows.prepare`), uncommitted until the probe's transaction ends; a second
/// probe writing the same probe tenant into the same table would wait on the first (and give up after the
/// lock timeout). Tables whose probes write into a common table, the tenants table and the tables that point
/// at it say, form one group, probed one after another on one connection; groups run side by side.
enum ProbeGroups {
    static func of(_ tables: [ScopedTable], spec: Spec, connection: Connection) throws -> [[ScopedTable]] {
        // What each table's probe writes: itself, and its parents (read from the catalog).
        let writes = try tables.map { table -> Set<String> in
            // A walled table's keys are its storage's (the name is a view); its probe tenants go to the tenants
            // table too (`ProbeRows.loadWallTenants`).
            let storage = try TableProbe.storage(of: table.table, spec: spec, connection)
            let wallTenants = storage == nil ? [] : ProbeRows.wallTenants(spec).map { [SQL.qualified($0.schema, $0.name)] } ?? []
            return try ProbeRows.parentTables(connection, schema: storage?.schema ?? table.schema, name: table.name, scopeColumn: table.column)
                .union([SQL.qualified(table.schema, table.name)] + wallTenants)
        }
        var groups: [(tables: [ScopedTable], writes: Set<String>)] = []
        for (table, written) in zip(tables, writes) {
            let overlapping = groups.indices.filter { !groups[$0].writes.isDisjoint(with: written) }
            var merged = (tables: [ScopedTable](), writes: written)
            for index in overlapping {
                merged.tables += groups[index].tables
                merged.writes.formUnion(groups[index].writes)
            }
            merged.tables.append(table)
            for index in overlapping.reversed() { groups.remove(at: index) }
            groups.append(merged)
        }
        // Spec order within a group and between groups, as the tables came.
        let order = Dictionary(uniqueKeysWithValues: tables.enumerated().map { ($0.element.qualifiedName, $0.offset) })
        return groups.map { $0.tables.sorted { order[$0.qualifiedName]! < order[$1.qualifiedName]! } }
            .sorted { order[$0[0].qualifiedName]! < order[$1[0].qualifiedName]! }
    }
}
