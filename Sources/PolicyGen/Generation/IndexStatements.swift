/// The spec's indexes, plus a tenant-leading index when no index or primary key leads with the scope
/// column: without one, every policy check is a scan.
struct IndexStatements {
    let spec: Spec
    let table: Table

    func statements() -> [Statement] {
        var indexes = table.indexes
        if let scope = table.scopeColumn(tenancy: spec.tenancy),
           table.primaryKey.first != scope, !indexes.contains(where: { $0.columns.first?.name == scope && $0.predicate == nil }) {
            indexes.insert(Index(name: nil, columns: [IndexColumn(name: scope, descending: false)], include: [], unique: false,
                                 predicate: nil, location: nil), at: 0)
        }
        return indexes.map { index in
            let name = index.name ?? Self.name(table: table.name, columns: index.columns.map(\.name))
            let keys = index.columns.map { SQL.ident($0.name) + ($0.descending ? " DESC" : "") }.joined(separator: ", ")
            var sql = "CREATE \(index.unique ? "UNIQUE " : "")INDEX IF NOT EXISTS \(SQL.ident(name)) ON \(SQL.qualified(table.schema, table.name)) (\(keys))"
            if !index.include.isEmpty { sql += " INCLUDE (\(SQL.identList(index.include)))" }
            if let predicate = index.predicate { sql += " WHERE (\(predicate))" }
            let comment = index.location == nil ? "Tenant-leading index so that policy checks are index conditions." : nil
            return Statement(.index(table: table.qualifiedName, name: name), sql, comment: comment)
        }
    }

    /// `<table>_<columns>_idx`, shortened with a stable hash when it would pass 63 bytes.
    static func name(table: String, columns: [String]) -> String {
        let full = ([table] + columns + ["idx"]).joined(separator: "_")
        guard full.utf8.count > SpecValidator.maxIdentifierBytes else { return full }
        var prefix = ""
        for character in full {
            if prefix.utf8.count + String(character).utf8.count > 50 { break }
            prefix.append(character)
        }
        return prefix + "_" + StableHash.hex(full) + "_idx"
    }
}

/// FNV-1a, 32 bits: a short, stable suffix for shortened names (not for security).
enum StableHash {
    static func hex(_ text: String) -> String {
        var hash: UInt32 = 2166136261
        for byte in text.utf8 { hash = (hash ^ UInt32(byte)) &* 16777619 }
        let digits = String(hash, radix: 16)
        return String(repeating: "0", count: 8 - digits.count) + digits
    }
}
