import Yams

/// A table's `indexes`: key columns (each may carry DESC), included columns, UNIQUE and a partial-index
/// predicate. This file owns the index keys, how an index is read, and the diagnostics about its name,
/// columns and predicate; the tenant-table rule for unique indexes is in `TenantTables`.
public struct Index: Sendable {
    public var name: String?
    /// Key columns in order; each may carry `DESC`.
    public var columns: [IndexColumn]
    public var include: [String]
    public var unique: Bool
    /// A partial-index predicate, written by the spec's author: SQL, checked to be one expression.
    public var predicate: String?
    public var location: SourceLocation?

    public init(name: String?, columns: [IndexColumn], include: [String] = [], unique: Bool = false, predicate: String? = nil, location: SourceLocation? = nil) {
        self.name = name
        self.columns = columns
        self.include = include
        self.unique = unique
        self.predicate = predicate
        self.location = location
    }
}

public struct IndexColumn: Sendable, Equatable {
    public var name: String
    public var descending: Bool

    public init(name: String, descending: Bool = false) {
        self.name = name
        self.descending = descending
    }

    /// `name`, `name desc` or `name asc`; anything else is a name as written.
    init(written entry: String) {
        let parts = entry.split(separator: " ")
        if parts.count == 2, parts[1].lowercased() == "desc" { self.init(name: String(parts[0]), descending: true) }
        else if parts.count == 2, parts[1].lowercased() == "asc" { self.init(name: String(parts[0]), descending: false) }
        else { self.init(name: entry, descending: false) }
    }
}

// MARK: - Keys

extension Table {
    static let indexesKey = SpecKey<Table>("indexes") { table, entry, reader in
        for item in reader.sequence(entry.value, what: "indexes") ?? [] {
            if let index = Index.read(item, &reader) { table.indexes.append(index) }
        }
    }
}

extension Index {
    static let keys: [SpecKey<Index>] = [
        SpecKey("name") { index, entry, reader in index.name = reader.string(entry.value, what: "index name") },
        SpecKey("columns") { index, entry, reader in index.columns = (reader.strings(entry.value, what: "index columns") ?? []).map(IndexColumn.init(written:)) },
        SpecKey("include") { index, entry, reader in index.include = reader.strings(entry.value, what: "index include") ?? [] },
        SpecKey("unique") { index, entry, reader in index.unique = reader.bool(entry.value, what: "unique") ?? false },
        SpecKey("where") { index, entry, reader in index.predicate = reader.string(entry.value, what: "index where") },
    ]

    /// One entry of the list, or nil (reported) when it is not a mapping.
    static func read(_ node: Node, _ reader: inout NodeReader) -> Index? {
        guard let entries = reader.entries(node, keys: keys, what: "an index") else { return nil }
        var index = Index(name: nil, columns: [], location: reader.location(node))
        reader.read(entries, into: &index, keys: keys)
        if index.columns.isEmpty { reader.error("an index needs 'columns'", node) }
        return index
    }
}

// MARK: - Checks

extension Table {
    /// Each index named once, over the table's columns, with a predicate that is one condition on them.
    func checkIndexes(_ checks: inout SpecChecks) {
        var names: Set<String> = []
        for index in indexes {
            if let name = index.name {
                checks.identifier(name, "index name", index.location)
                if !names.insert(name).inserted { checks.error("duplicate index name '\(name)'", index.location) }
            }
            for column in index.columns { checks.requireColumn(column.name, "index column", of: self, index.location) }
            for column in index.include { checks.requireColumn(column, "included column", of: self, index.location) }
            if let predicate = index.predicate {
                if let problem = ExpressionCheck.problem(in: predicate) { checks.error("index predicate: \(problem)", index.location) }
                else { checks.expressionColumns(predicate, "index predicate", self, index.location) }
            }
            checkTenantUniqueIndex(index, &checks)
        }
    }
}
