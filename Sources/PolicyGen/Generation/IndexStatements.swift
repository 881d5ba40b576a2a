import Quoting
/// The spec's indexes, plus a tenant-leading index when no index or primary key leads with the scope
/// column (in the spec, or in the live database when it is known): without one, every policy check is a scan.
///
/// Index builds run outside the migration's transaction, `CONCURRENTLY`, so that building one on a table that
/// already holds rows never blocks its writes (`Generator.indexSection()`, a no-transaction step):
/// - a plain table: `CREATE INDEX CONCURRENTLY IF NOT EXISTS`;
/// - a partitioned table (PostgreSQL refuses CONCURRENTLY on a partitioned parent): the parent's index
///   `ON ONLY` (a catalog entry, no build), each partition's index built concurrently and attached; the parent's
///   index is valid once every partition's is attached, and partitions made later get theirs with them. Without
///   the live partitions (`generate` with no `--database`) the parent's index is built in one statement, which
///   is right for a new table and locks one that holds rows: generate with `--database` for those;
/// - a hypertable (TimescaleDB refuses CONCURRENTLY there): `WITH (timescaledb.transaction_per_chunk)`, which
///   builds chunk by chunk, each in a transaction of its own, so a write waits for one chunk's build at most.
struct IndexStatements {
    let spec: Spec
    let table: Table
    var live: LiveShape? = nil

    /// The indexes to have, with their names.
    func indexes() -> [(name: String, index: Index)] {
        var indexes = table.indexes
        if let scope = table.scopeColumn(tenancy: spec.tenancy), table.primaryKey.first != scope,
           !indexes.contains(where: { $0.columns.first?.name == scope && $0.predicate == nil }),
           live?.tenantIndexed.contains(table.qualifiedName) != true {
            indexes.insert(Index(name: nil, columns: [IndexColumn(name: scope, descending: false)], include: [], unique: false,
                                 predicate: nil, location: nil), at: 0)
        }
        return indexes.map { (name: $0.name ?? Self.name(table: table.name, columns: $0.columns.map(\.name)), index: $0) }
    }

    func statements() -> [Statement] {
        indexes().flatMap { name, index -> [Statement] in
            // An index the database has, valid, is never built again (IF NOT EXISTS would skip the parent's, but a
            // partition's index under another name would be built twice).
            let home = table.storage(tenancy: spec.tenancy).schema
            if let live, live.indexes.contains("\(home).\(name)"), !live.invalidIndexes.contains("\(home).\(name)") { return [] }
            let key = ObjectKey.index(table: table.qualifiedName, name: name)
            let comment = index.location == nil ? "Tenant-leading index so that policy checks are index conditions." : nil
            let storage = table.storage(tenancy: spec.tenancy)
            let relation = SQL.qualified(storage.schema, storage.name)
            if table.hypertable != nil {
                return [Statement(key, create(index, name: name, on: relation) + " WITH (timescaledb.transaction_per_chunk)", comment: comment)]
            }
            var out: [Statement] = []
            // A plain table's index that a concurrent build left INVALID is dropped (concurrently) and built again.
            // A partitioned table's parent index is never dropped (PostgreSQL refuses it concurrently): it stays
            // invalid until every partition's index is attached, which the statements below finish.
            if table.partitioning == nil, let invalid = live?.invalidIndexes, invalid.contains("\(table.schema).\(name)") {
                out.append(Statement(key, "DROP INDEX CONCURRENTLY IF EXISTS \(SQL.qualified(table.schema, name))",
                                     comment: "An interrupted concurrent build left this index INVALID: it is built again."))
            }
            guard table.partitioning != nil else {
                return out + [Statement(key, create(index, name: name, on: relation, concurrently: true), comment: comment)]
            }
            guard let partitions = live?.partitions[table.qualifiedName] else {
                return out + [Statement(key, create(index, name: name, on: relation),
                                        comment: (comment.map { $0 + "\n" } ?? "") + "The partitions are not known here: built in one statement, which locks a table that holds rows (generate with --database to build each partition concurrently).")]
            }
            out.append(Statement(key, create(index, name: name, on: "ONLY " + relation),
                                 comment: (comment.map { $0 + "\n" } ?? "") + "On the parent only (no build); each partition's index is built concurrently and attached."))
            for partition in partitions {
                let partIndex = Self.name(table: partition.name, columns: index.columns.map(\.name))
                if live?.invalidIndexes.contains("\(partition.schema).\(partIndex)") == true {
                    out.append(Statement(key, "DROP INDEX CONCURRENTLY IF EXISTS \(SQL.qualified(partition.schema, partIndex))",
                                         comment: "An interrupted concurrent build left this partition's index INVALID: it is built again."))
                }
                out.append(Statement(key, create(index, name: partIndex, on: SQL.qualified(partition.schema, partition.name), concurrently: true)))
                out.append(Statement(key, "ALTER INDEX \(SQL.qualified(table.schema, name)) ATTACH PARTITION \(SQL.qualified(partition.schema, partIndex))"))
            }
            return out
        }
    }

    func create(_ index: Index, name: String, on relation: String, concurrently: Bool = false) -> String {
        let keys = index.columns.map { SQL.ident($0.name) + ($0.descending ? " DESC" : "") }.joined(separator: ", ")
        var sql = "CREATE \(index.unique ? "UNIQUE " : "")INDEX \(concurrently ? "CONCURRENTLY " : "")IF NOT EXISTS \(SQL.ident(name)) ON \(relation) (\(keys))"
        if !index.include.isEmpty { sql += " INCLUDE (\(SQL.identList(index.include)))" }
        if let predicate = index.predicate { sql += " WHERE (\(predicate))" }
        return sql
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
