import Yams

/// A table's `hypertable` (TimescaleDB): the time column, chunk interval, retention, the chunks' schema and
/// space partitions. This file owns those keys, their defaults and reading, and the diagnostics about them,
/// including what RLS on a hypertable rules out (DELETE grants, an exempt hypertable); the derived objects
/// (compression, continuous aggregates) and the walled form they need are in `Hypertable+Derived.swift`.
///
/// Its chunks live in `chunkSchema`, a schema that read-only roles cannot use, and the access roles hold only
/// column-level privileges on it, which TimescaleDB does not copy to new chunks.
public struct Hypertable: Sendable {
    public var timeColumn: String
    public var chunkInterval: String
    public var retention: String?
    /// Where the chunks are created (`associated_schema_name`); nil means `<helper_schema>_chunks`.
    public var chunkSchema: String?
    /// Hash partitions on the tenant column (a second, "space" dimension); nil for time only.
    public var spacePartitions: Int?
    /// The columnstore; any compression makes the hypertable walled.
    public var compression: Compression?
    /// Continuous aggregates over it; any makes the hypertable walled.
    public var continuousAggregates: [ContinuousAggregate] = []
    public var location: SourceLocation?
    /// Where each key was written, for diagnostics.
    public var keyLocations: [String: SourceLocation] = [:]

    public init(timeColumn: String, chunkInterval: String, retention: String? = nil, chunkSchema: String? = nil,
                spacePartitions: Int? = nil, location: SourceLocation? = nil) {
        self.timeColumn = timeColumn
        self.chunkInterval = chunkInterval
        self.retention = retention
        self.chunkSchema = chunkSchema
        self.spacePartitions = spacePartitions
        self.location = location
    }

    /// The schema the chunks live in.
    public func chunkSchema(tenancy: Tenancy) -> String { chunkSchema ?? tenancy.helperSchema + "_chunks" }
}

// MARK: - Keys

extension Table {
    static let hypertableKey = SpecKey<Table>("hypertable") { table, entry, reader in table.hypertable = Hypertable.read(entry.value, &reader) }
}

extension Hypertable {
    static let keys: [SpecKey<Hypertable>] = [
        SpecKey("time_column") { h, entry, reader in h.timeColumn = reader.string(entry.value, what: "time_column") ?? "" },
        SpecKey("chunk_interval") { h, entry, reader in h.chunkInterval = reader.string(entry.value, what: "chunk_interval") ?? "" },
        SpecKey("retention") { h, entry, reader in h.retention = reader.string(entry.value, what: "retention") },
        SpecKey("chunk_schema") { h, entry, reader in h.chunkSchema = reader.string(entry.value, what: "chunk_schema") },
        SpecKey("space_partitions") { h, entry, reader in h.spacePartitions = reader.int(entry.value, what: "space_partitions") },
    ] + derivedKeys

    /// The mapping, with a 7-day chunk interval unless given, or nil (reported) when it is not a mapping.
    static func read(_ node: Node, _ reader: inout NodeReader) -> Hypertable? {
        guard let entries = reader.entries(node, keys: keys, what: "hypertable") else { return nil }
        var hypertable = Hypertable(timeColumn: "", chunkInterval: "7 days", retention: nil, location: reader.location(node))
        for entry in entries { hypertable.keyLocations[entry.key] = reader.location(entry.keyNode) }
        reader.read(entries, into: &hypertable, keys: keys)
        if hypertable.timeColumn.isEmpty { reader.error("hypertable needs a 'time_column'", node) }
        return hypertable
    }
}

// MARK: - Checks

extension Table {
    /// A table is a hypertable or natively partitioned, not both; then each one's own checks.
    func checkTimeSeries(_ checks: inout SpecChecks) {
        if hypertable != nil && partitioning != nil {
            checks.error("'\(qualifiedName)' asks for both a hypertable and native partitioning; choose one", location)
        }
        if let hypertable { checkHypertable(hypertable, &checks) }
        if let partitioning { checkPartitioning(partitioning, &checks) }
    }

    private func checkHypertable(_ h: Hypertable, _ checks: inout SpecChecks) {
        checks.requireColumn(h.timeColumn, "time_column", of: self, h.location)
        if let c = column(h.timeColumn), !TypeName.isTime(c.type) { checks.error("time_column '\(h.timeColumn)' must be a date or timestamp column", h.location) }
        checks.interval(h.chunkInterval, "chunk_interval", h.location)
        if let retention = h.retention { checks.interval(retention, "retention", h.location) }
        if !primaryKey.isEmpty && !primaryKey.contains(h.timeColumn) {
            checks.error("TimescaleDB requires the primary key of '\(qualifiedName)' to include the time column '\(h.timeColumn)'", location)
        }
        if isolation == .exempt { checks.error("hypertables hold tenant data; an exempt hypertable is not supported", h.location) }
        checkChunkSchema(h, &checks)
        if let n = h.spacePartitions, !(1...1024).contains(n) { checks.error("space_partitions must be between 1 and 1024", h.keyLocations["space_partitions"] ?? h.location) }
        if isWalled { checkWalled(h, &checks); return }
        for (role, commands) in grants where commands.contains(.delete) {
            checks.error("DELETE cannot be granted on hypertable '\(qualifiedName)': TimescaleDB copies a hypertable's table-level privileges to every new chunk, and DELETE has no column-level form, so '\(role)' could delete every tenant's rows from a new chunk by naming it; old rows go with 'retention', a tenant's rows with `tenantwall tenant remove --delete-data`", grantLocations[role] ?? h.location)
        }
    }

    /// The chunks' schema holds chunks only, so read-only roles (which use the table and helper schemas)
    /// cannot name a chunk.
    private func checkChunkSchema(_ h: Hypertable, _ checks: inout SpecChecks) {
        let chunkSchema = h.chunkSchema(tenancy: checks.tenancy)
        let at = h.keyLocations["chunk_schema"] ?? h.location
        checks.identifier(chunkSchema, "chunk_schema", at)
        checks.schemaName(chunkSchema, "chunk_schema", at)
        if chunkSchema == checks.tenancy.helperSchema || checks.spec.tables.contains(where: { $0.schema == chunkSchema }) {
            checks.error("chunk_schema '\(chunkSchema)' must hold chunks only: the access roles use the helper and table schemas, and read-only roles must not be able to name a chunk", at)
        }
    }
}
