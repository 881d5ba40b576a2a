import Yams

/// A hypertable's `compression` (TimescaleDB's columnstore): segment by the tenant column, order by time,
/// compress chunks older than `after` with a TimescaleDB policy.
///
/// TimescaleDB refuses compression on a table with row-level security, so a hypertable that asks for it is
/// built in the walled form (`Table.isWalled`): the hypertable carries no RLS and no access role's privilege,
/// and the application reads and writes it through a view that is the wall.
public struct Compression: Sendable, Equatable {
    /// Chunks whose newest row is older than this are compressed by the policy.
    public var after: String
    /// `compress_segmentby`; nil means the tenant column alone, so a tenant's rows share segments with no other
    /// tenant's and a tenant filter skips every other tenant's segments.
    public var segmentBy: [String]?
    /// `compress_orderby`, e.g. `time DESC`; nil means the time column, descending.
    public var orderBy: String?
    public var location: SourceLocation?
    public var keyLocations: [String: SourceLocation] = [:]

    public init(after: String = "7 days", segmentBy: [String]? = nil, orderBy: String? = nil, location: SourceLocation? = nil) {
        self.after = after
        self.segmentBy = segmentBy
        self.orderBy = orderBy
        self.location = location
    }

    public static func == (a: Compression, b: Compression) -> Bool {
        a.after == b.after && a.segmentBy == b.segmentBy && a.orderBy == b.orderBy
    }

    /// The segment-by columns as the generated SQL sets them.
    public func segmentColumns(tenantColumn: String) -> [String] { segmentBy ?? [tenantColumn] }

    /// The order-by clause as the generated SQL sets it.
    public func orderClause(timeColumn: String) -> String { orderBy ?? "\(timeColumn) DESC" }
}

// MARK: - Keys

extension Compression {
    static let keys: [SpecKey<Compression>] = [
        SpecKey("after") { c, entry, reader in c.after = reader.string(entry.value, what: "compression.after") ?? c.after },
        SpecKey("segment_by") { c, entry, reader in c.segmentBy = reader.strings(entry.value, what: "compression.segment_by") },
        SpecKey("order_by") { c, entry, reader in c.orderBy = reader.string(entry.value, what: "compression.order_by") },
    ]

    /// `true` (the defaults), `false` (none), or the mapping.
    static func read(_ node: Node, _ reader: inout NodeReader) -> Compression? {
        if case .scalar = node {
            return reader.bool(node, what: "compression") == true ? Compression(location: reader.location(node)) : nil
        }
        guard let entries = reader.entries(node, keys: keys, what: "compression") else { return nil }
        var compression = Compression(location: reader.location(node))
        for entry in entries { compression.keyLocations[entry.key] = reader.location(entry.keyNode) }
        reader.read(entries, into: &compression, keys: keys)
        return compression
    }
}

// MARK: - Checks

extension Compression {
    /// `after` an interval; the segment-by columns the table's, the tenant column among them; the order-by
    /// clause columns of the table with an optional direction.
    func check(_ table: Table, _ h: Hypertable, _ checks: inout SpecChecks) {
        checks.interval(after, "compression.after", keyLocations["after"] ?? location)
        let tenantColumn = checks.tenancy.column
        let segments = segmentColumns(tenantColumn: tenantColumn)
        let segmentAt = keyLocations["segment_by"] ?? location
        for column in segments { checks.requireColumn(column, "compression.segment_by", of: table, segmentAt) }
        if !segments.contains(tenantColumn) {
            checks.error("compression.segment_by must include the tenant column '\(tenantColumn)': a segment then holds one tenant's rows, so a tenant's query reads no other tenant's compressed data", segmentAt)
        }
        let orderAt = keyLocations["order_by"] ?? location
        for term in orderClause(timeColumn: h.timeColumn).split(separator: ",") {
            let words = term.split(separator: " ").map(String.init)
            guard let column = words.first, words.count <= 4,
                  words.dropFirst().allSatisfy({ ["asc", "desc", "nulls", "first", "last"].contains($0.lowercased()) }) else {
                checks.error("compression.order_by '\(words.joined(separator: " "))' must be a column with an optional ASC or DESC and NULLS FIRST or LAST", orderAt)
                continue
            }
            checks.requireColumn(column, "compression.order_by", of: table, orderAt)
            if segments.contains(column) { checks.error("compression.order_by column '\(column)' is also in segment_by", orderAt) }
        }
    }
}
