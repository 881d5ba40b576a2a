import Catalog

/// The fingerprints of a walled hypertable (`Table.isWalled`): its storage in the walled schema under the
/// table's usual keys, so that RLS, a policy, a grant on the storage or a chunk, changed compression settings or
/// policies, and a changed or removed aggregate each show as drift; and `wall <table>`, the views the access
/// roles go through (kind, owner, options, ACL, query), so a wall view replaced, re-granted or removed does too.
extension Fingerprints {
    /// The relation that holds the rows: the storage, or (before a move) the table still at the name.
    func storage(_ table: Table, tenancy: Tenancy) -> DatabaseCatalog.Table? {
        let storage = table.storage(tenancy: tenancy)
        if let t = catalog.table(storage.schema + "." + storage.name) { return t }
        return catalog.table(table.qualifiedName).flatMap { ["r", "p"].contains($0.kind) ? $0 : nil }
    }

    func walled(_ table: Table, spec: Spec) -> [String: String] {
        let q = table.qualifiedName
        var objects: [String: String] = [:]
        if let t = storage(table, tenancy: spec.tenancy) {
            objects["table " + q] = "storage \(t.qualified): " + self.table(t) + "\nat the name: " + (catalog.table(q)?.kind ?? "nothing")
            objects["row security " + q] = "enabled=\(t.rls) forced=\(t.forced)"
            objects["policies " + q] = policies(t)
            objects["grants " + q] = grants(t)
            for index in catalog.indexes(on: t.qualified) {
                objects["index \(index.name) on \(q)"] = index.definition + (index.valid ? "" : " (INVALID)")
            }
            var series = children(t) + "\n" + (catalog.timescaleSettings[t.qualified] ?? []).joined(separator: "\n")
            let walled = Hypertable.walledSchema(tenancy: spec.tenancy)
            for aggregate in table.hypertable?.continuousAggregates ?? [] {
                series += "\naggregate \(aggregate.name): " + relation(walled + "." + aggregate.name, definition: false)
            }
            objects["time series " + q] = series
        }
        var wall = "view: " + relation(q, definition: true)
        for aggregate in table.hypertable?.continuousAggregates ?? [] {
            wall += "\naggregate view: " + relation(aggregate.viewSchema(of: table) + "." + aggregate.name, definition: true)
        }
        objects["wall " + q] = wall
        return objects
    }

    /// A view's or aggregate's kind, owner, options, ACL, comment and TimescaleDB settings, and (for a view) its query.
    func relation(_ qualified: String, definition: Bool) -> String {
        guard let v = catalog.table(qualified) else { return "missing" }
        var text = "\(v.kind) owner=\(v.owner) options=\(Self.arrayText(v.options)) acl=\(v.acl ?? "")"
        text += (catalog.timescaleSettings[qualified] ?? []).map { " " + $0 }.joined()
        if let comment = v.comment { text += "\n" + comment }
        if definition { text += "\n" + (v.definition ?? "") }
        return text
    }
}
