import Yams

/// A table's `partitioning`: native range partitions by a date or timestamp column, made ahead by tenantwall
/// or by pg_partman. This file owns the keys (column, interval, premake, manager), their defaults and reading,
/// and the diagnostics about them, including what pg_partman 4 accepts.
public struct Partitioning: Sendable {
    public var column: String
    public var interval: String
    public var premake: Int
    public var manager: PartitionManager
    public var location: SourceLocation?

    public init(column: String, interval: String, premake: Int, manager: PartitionManager, location: SourceLocation? = nil) {
        self.column = column
        self.interval = interval
        self.premake = premake
        self.manager = manager
        self.location = location
    }
}

public enum PartitionManager: String, CaseIterable, Sendable {
    case native
    case pg_partman
}

// MARK: - Keys

extension Table {
    static let partitioningKey = SpecKey<Table>("partitioning") { table, entry, reader in table.partitioning = Partitioning.read(entry.value, &reader) }
}

extension Partitioning {
    static let keys: [SpecKey<Partitioning>] = [
        SpecKey("column") { p, entry, reader in p.column = reader.string(entry.value, what: "partitioning column") ?? "" },
        SpecKey("interval") { p, entry, reader in p.interval = reader.string(entry.value, what: "partitioning interval") ?? "" },
        SpecKey("premake") { p, entry, reader in p.premake = reader.int(entry.value, what: "premake") ?? 3 },
        SpecKey("manager") { p, entry, reader in p.manager = reader.choice(entry.value, what: "partitioning manager", as: PartitionManager.self) ?? .native },
    ]

    /// The mapping, by default monthly, three partitions ahead, made by tenantwall; nil (reported) when it is
    /// not a mapping.
    static func read(_ node: Node, _ reader: inout NodeReader) -> Partitioning? {
        guard let entries = reader.entries(node, keys: keys, what: "partitioning") else { return nil }
        var partitioning = Partitioning(column: "", interval: "1 month", premake: 3, manager: .native, location: reader.location(node))
        reader.read(entries, into: &partitioning, keys: keys)
        if partitioning.column.isEmpty { reader.error("partitioning needs a 'column'", node) }
        return partitioning
    }
}

// MARK: - Checks

extension Table {
    func checkPartitioning(_ p: Partitioning, _ checks: inout SpecChecks) {
        checks.requireColumn(p.column, "partitioning column", of: self, p.location)
        if let c = column(p.column), !TypeName.isTime(c.type) { checks.error("partitioning column '\(p.column)' must be a date or timestamp column", p.location) }
        checks.interval(p.interval, "interval", p.location)
        if !(1...120).contains(p.premake) { checks.error("premake must be between 1 and 120", p.location) }
        if !primaryKey.isEmpty && !primaryKey.contains(p.column) {
            checks.error("PostgreSQL requires the primary key of a partitioned table to include the partition column '\(p.column)'", location)
        }
        if p.manager == .pg_partman && !(SpecValidator.isPlainName(schema) && SpecValidator.isPlainName(name) && SpecValidator.isPlainName(p.column)) {
            checks.error("pg_partman 4 takes table names as unquoted text: use lower-case letters, digits and '_' for its tables", p.location)
        }
        if p.manager == .pg_partman && SpecValidator.partmanInterval(p.interval) == nil {
            checks.error("pg_partman supports intervals of 1 hour, day, week, month, quarter or year; '\(p.interval)' is not one", p.location)
        }
    }
}

extension SpecValidator {
    /// pg_partman 4.x interval keywords.
    public static func partmanInterval(_ text: String) -> String? {
        guard let (count, unit) = parseInterval(text), count == 1 || (unit == "month" && count == 3) else { return nil }
        if unit == "month" && count == 3 { return "quarterly" }
        return ["hour": "hourly", "day": "daily", "week": "weekly", "month": "monthly", "year": "yearly"][unit]
    }
}
