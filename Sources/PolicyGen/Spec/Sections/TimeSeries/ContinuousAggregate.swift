import Yams

/// One of a hypertable's `continuous_aggregates` (TimescaleDB): a time-bucketed aggregate, grouped by the
/// tenant column first, kept by a refresh policy, read by the access roles only through a walled view.
///
/// TimescaleDB refuses a continuous aggregate on a hypertable with row-level security, so its hypertable is
/// built in the walled form (`Table.isWalled`). The aggregate itself lives in the walled schema with it
/// (`Hypertable.walledSchema`), owned by the owner, with no access role's privilege (nor on its
/// materialization hypertable, which TimescaleDB creates with the aggregate's owner and no other grant);
/// the application reads a `security_barrier` view of the same name, filtered by the tenant reader.
public struct ContinuousAggregate: Sendable {
    /// The walled view's name; also the aggregate's name in the walled schema.
    public var name: String
    /// Where the walled view lives; nil means the hypertable's schema.
    public var schema: String?
    /// `time_bucket`'s width, e.g. `1 day`.
    public var bucket: String
    /// The output column holding the bucket's start.
    public var bucketColumn: String
    /// Output column → expression over the hypertable's columns, after the tenant column and the bucket.
    public var groupBy: [(name: String, expression: String)]
    /// Output column → an aggregate expression (`sum(cost_usd)`, `count(*)`).
    public var aggregates: [(name: String, expression: String)]
    /// The refresh policy's window and schedule.
    public var refresh: Refresh
    /// Whether reads also aggregate the raw rows not materialized yet (`timescaledb.materialized_only = false`).
    public var realTime: Bool
    public var location: SourceLocation?
    public var keyLocations: [String: SourceLocation] = [:]

    /// `add_continuous_aggregate_policy`'s arguments: refresh the buckets from `startOffset` ago to `endOffset`
    /// ago, every `every`.
    public struct Refresh: Sendable, Equatable {
        public var startOffset: String
        public var endOffset: String
        public var every: String
        public var location: SourceLocation?

        public init(startOffset: String = "3 days", endOffset: String = "1 hour", every: String = "1 hour", location: SourceLocation? = nil) {
            self.startOffset = startOffset
            self.endOffset = endOffset
            self.every = every
            self.location = location
        }

        public static func == (a: Refresh, b: Refresh) -> Bool {
            a.startOffset == b.startOffset && a.endOffset == b.endOffset && a.every == b.every
        }
    }

    public init(name: String, schema: String? = nil, bucket: String = "1 day", bucketColumn: String = "bucket",
                groupBy: [(name: String, expression: String)] = [], aggregates: [(name: String, expression: String)] = [],
                refresh: Refresh = Refresh(), realTime: Bool = false, location: SourceLocation? = nil) {
        self.name = name
        self.schema = schema
        self.bucket = bucket
        self.bucketColumn = bucketColumn
        self.groupBy = groupBy
        self.aggregates = aggregates
        self.refresh = refresh
        self.realTime = realTime
        self.location = location
    }

    /// The walled view's schema: its own, or the hypertable's.
    public func viewSchema(of table: Table) -> String { schema ?? table.schema }

    /// The output columns in order: the tenant column, the bucket, the group-by outputs, the aggregates.
    public func columns(tenantColumn: String) -> [String] {
        [tenantColumn, bucketColumn] + groupBy.map(\.name) + aggregates.map(\.name)
    }
}

// MARK: - Keys

extension ContinuousAggregate {
    static let keys: [SpecKey<ContinuousAggregate>] = [
        SpecKey("name") { a, entry, reader in a.name = reader.string(entry.value, what: "continuous aggregate name") ?? "" },
        SpecKey("schema") { a, entry, reader in a.schema = reader.string(entry.value, what: "continuous aggregate schema") },
        SpecKey("bucket") { a, entry, reader in a.bucket = reader.string(entry.value, what: "bucket") ?? a.bucket },
        SpecKey("bucket_column") { a, entry, reader in a.bucketColumn = reader.string(entry.value, what: "bucket_column") ?? a.bucketColumn },
        SpecKey("group_by") { a, entry, reader in a.groupBy = Rollup.readOutputs(entry.value, &reader, what: "group_by", columnsAllowed: true) },
        SpecKey("aggregates") { a, entry, reader in a.aggregates = Rollup.readOutputs(entry.value, &reader, what: "aggregates", columnsAllowed: false) },
        SpecKey("refresh") { a, entry, reader in a.refresh = Refresh.read(entry.value, &reader) ?? a.refresh },
        SpecKey("real_time") { a, entry, reader in a.realTime = reader.bool(entry.value, what: "real_time") ?? a.realTime },
    ]

    /// The list (an empty list or `false` asks for none).
    static func readList(_ node: Node, _ reader: inout NodeReader) -> [ContinuousAggregate] {
        if case .scalar = node, reader.bool(node, what: "continuous_aggregates") == false { return [] }
        return (reader.sequence(node, what: "continuous_aggregates") ?? []).compactMap { read($0, &reader) }
    }

    static func read(_ node: Node, _ reader: inout NodeReader) -> ContinuousAggregate? {
        guard let entries = reader.entries(node, keys: keys, what: "a continuous aggregate") else { return nil }
        var aggregate = ContinuousAggregate(name: "", location: reader.location(node))
        for entry in entries { aggregate.keyLocations[entry.key] = reader.location(entry.keyNode) }
        reader.read(entries, into: &aggregate, keys: keys)
        if aggregate.name.isEmpty { reader.error("a continuous aggregate needs a 'name'", node); return nil }
        if aggregate.aggregates.isEmpty {
            reader.error("continuous aggregate '\(aggregate.name)' needs 'aggregates' (output name: expression, e.g. cost_usd: sum(cost_usd))", node)
        }
        return aggregate
    }
}

extension ContinuousAggregate.Refresh {
    static let keys: [SpecKey<ContinuousAggregate.Refresh>] = [
        SpecKey("start_offset") { r, entry, reader in r.startOffset = reader.string(entry.value, what: "refresh.start_offset") ?? r.startOffset },
        SpecKey("end_offset") { r, entry, reader in r.endOffset = reader.string(entry.value, what: "refresh.end_offset") ?? r.endOffset },
        SpecKey("every") { r, entry, reader in r.every = reader.string(entry.value, what: "refresh.every") ?? r.every },
    ]

    static func read(_ node: Node, _ reader: inout NodeReader) -> ContinuousAggregate.Refresh? {
        guard let entries = reader.entries(node, keys: keys, what: "refresh") else { return nil }
        var refresh = ContinuousAggregate.Refresh(location: reader.location(node))
        reader.read(entries, into: &refresh, keys: keys)
        return refresh
    }
}

// MARK: - Checks

extension ContinuousAggregate {
    /// An interval's length in seconds, months as 30 days and years as 365: only to compare a refresh window with
    /// the bucket width, as TimescaleDB does when the policy is added.
    static func seconds(_ interval: String) -> Int? {
        guard let (count, unit) = SpecValidator.parseInterval(interval) else { return nil }
        let unitSeconds = ["second": 1, "minute": 60, "hour": 3600, "day": 86400, "week": 604800, "month": 2592000, "year": 31536000]
        return unitSeconds[unit].map { $0 * count }
    }

    private func error(_ message: String, _ key: String, _ checks: inout SpecChecks) {
        checks.error("continuous aggregate '\(name)': " + message, keyLocations[key] ?? location)
    }

    /// Its name (unique among the walled schema's objects, not a table's), its intervals, and its outputs: each
    /// named once, never the tenant column, over the hypertable's own columns (`RollupExpression`'s rules: a
    /// tenant's row of the aggregate may carry only that tenant's rows).
    func check(_ table: Table, seen: inout [String: SourceLocation], _ checks: inout SpecChecks) {
        let limit = SpecValidator.maxIdentifierBytes
        checks.identifier(name, "continuous aggregate name", keyLocations["name"] ?? location)
        if let earlier = seen[name] {
            error("another table or continuous aggregate in \(Hypertable.walledSchema(tenancy: checks.tenancy)) has this name (at \(earlier.file):\(earlier.line))", "name", &checks)
        }
        seen[name] = seen[name] ?? location ?? checks.start
        let schema = viewSchema(of: table)
        if schema.lowercased().hasPrefix("pg_") { error("schema '\(schema)' starts with 'pg_'", "schema", &checks) }
        if checks.spec.tables.contains(where: { $0.schema == schema && $0.name == name }) || checks.spec.rollups.contains(where: { $0.viewSchema == schema && $0.name == name }) {
            error("'\(schema).\(name)' is already a table or rollup of the spec; the walled view needs its own name", "name", &checks)
        }
        checks.interval(bucket, "bucket", keyLocations["bucket"] ?? location)
        let at = refresh.location ?? keyLocations["refresh"] ?? location
        for (value, what) in [(refresh.startOffset, "refresh.start_offset"), (refresh.endOffset, "refresh.end_offset"), (refresh.every, "refresh.every")] {
            checks.interval(value, what, at)
        }
        if let start = Self.seconds(refresh.startOffset), let end = Self.seconds(refresh.endOffset), let width = Self.seconds(bucket), start - end < 2 * width {
            error("the refresh window (start_offset - end_offset) must cover at least two buckets of \(bucket), as TimescaleDB requires", "refresh", &checks)
        }
        let tenantColumn = checks.tenancy.column
        if bucketColumn.isEmpty || bucketColumn.utf8.count > limit || bucketColumn == tenantColumn {
            error("bucket_column '\(bucketColumn)' must be 1 to \(limit) bytes and not the tenant column", "bucket_column", &checks)
        }
        for (message, key) in Rollup.outputProblems(groupBy: groupBy, aggregates: aggregates, of: table, taken: [tenantColumn, bucketColumn], tenantColumn: tenantColumn) {
            error(message, key, &checks)
        }
    }
}
