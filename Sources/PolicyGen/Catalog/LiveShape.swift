/// What a live database already has that changes how tenantwall builds indexes on it, read once by plan,
/// apply and `generate --database`: which tables exist, which already have an index leading with their scope
/// column (reused, never built twice), the leaf partitions of each partitioned table, and which of tenantwall's
/// indexes an interrupted build left INVALID.
public struct LiveShape: Sendable, Equatable {
    /// Tables that exist, as `schema.name`.
    public var tables: Set<String>
    /// Tables with a valid, non-partial index (or primary key) whose first column is the table's scope column.
    public var tenantIndexed: Set<String>
    /// Leaf partitions of each partitioned table, as (schema, name), oldest first.
    public var partitions: [String: [(schema: String, name: String)]]
    /// Indexes (`schema.name`) left INVALID by an interrupted concurrent build.
    public var invalidIndexes: Set<String>
    /// Every index (`schema.name`) on the spec's tables: one that exists is never built again.
    public var indexes: Set<String> = []

    public init(tables: Set<String> = [], tenantIndexed: Set<String> = [], partitions: [String: [(schema: String, name: String)]] = [:],
                invalidIndexes: Set<String> = []) {
        self.tables = tables
        self.tenantIndexed = tenantIndexed
        self.partitions = partitions
        self.invalidIndexes = invalidIndexes
    }

    public static func == (a: LiveShape, b: LiveShape) -> Bool {
        a.tables == b.tables && a.tenantIndexed == b.tenantIndexed && a.invalidIndexes == b.invalidIndexes && a.indexes == b.indexes
            && a.partitions.mapValues { $0.map { "\($0.schema).\($0.name)" } } == b.partitions.mapValues { $0.map { "\($0.schema).\($0.name)" } }
    }
}
