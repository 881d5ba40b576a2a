import Foundation
import PolicyGen
import Postgres
import Quoting
import Tenantwall

/// The probe rows of one table, made to fit the table as the live catalog has it rather than only as the
/// spec describes it: a database built by hand has NOT NULL columns, enums, domains, CHECK constraints,
/// foreign keys and hand-made partitions that the spec says nothing about, and a probe row that breaks any of
/// them is never written, so no wall is tried.
///
/// Read once as the verifier, before any probe row (`load`): the live table (`LiveTable`), a few of its
/// existing rows, a row each foreign key may point at, and values inside the partitions. Then, per probe
/// tenant (`prepare`), the rows the tenant column's foreign keys need are written first (the tenant in the
/// tenants table, a parent row for a composite key), in the same transaction as everything else, and
/// `insert` writes a row for any tenant and seed: it is also the INSERT the write checks try as the session.
///
/// How a column gets its value, first rule that applies:
/// - the tenant column: the probe tenant;
/// - other columns of a foreign key that includes the tenant column: NULL when that switches the check off,
///   else the parent row written for the tenant;
/// - other foreign keys: an existing referenced row (read as the verifier), NULL if none and nullable;
/// - a partitioned table without a default partition: partition key values taken from an existing row, else
///   from the partitions' bounds, so the row lands in a partition that exists;
/// - a unique key without the tenant column: a fresh value (a number above the column's maximum, a prefixed
///   copy of an existing value when a CHECK or domain constrains it), so probe rows never collide;
/// - a column a CHECK reads, or of a domain type: the value an existing row of the table holds;
/// - an enum: one of its labels;
/// - otherwise a value made from the type (`ProbeValues`), as the spec says it when the spec names the column.
/// Identity, generated and defaulted columns are left to the server unless the spec names them without a
/// default (the generated tables' behaviour, kept as it was).
final class ProbeRows {
    /// Rows the seeding of one table's probe wrote into other tables, shared by the parents it recursed into,
    /// so that a tenants table reached by two paths gets its probe tenant once.
    final class Ledger {
        /// `table \0 tenant` → the written row's values, by column.
        var rows: [String: [String: String?]] = [:]
        /// Deletes of the rows written into other tables, in the order they were first written.
        var removals: [String] = []
        var removed: Set<String> = []
        /// The tables written into, as (schema, table, tenant column), in the order of `removals` (Citus:
        /// `ProbeRegistry` records them with the probe rows).
        var tables: [(schema: String, name: String, column: String)] = []
    }

    /// A statement that failed while probe rows were written: what could not be probed, and why.
    struct Failure: Error {
        var statement: String
        var error: PostgresError
    }

    let spec: Spec
    let table: Table?
    let schema: String
    let name: String
    let scopeColumn: String
    /// Whether the tenant literal is cast to the spec's tenant type (the probed table's own rows, as before).
    let castScope: Bool
    let connection: Connection
    let tenants: [String]
    let depth: Int
    let path: Set<String>
    let ledger: Ledger
    /// Where the rows live when the name is a view over them (a walled hypertable's storage): the verifier
    /// reads the live table and existing rows there and seeds there; the session's statements name the view.
    let storage: (schema: String, name: String)?

    private(set) var live: LiveTable?
    private(set) var columns: [String] = []
    private var samples: [[String: String?]] = []
    private var partitionTuples: [[String: String?]] = []
    private var foreignValues: [Int: [String?]] = [:]
    private var maxValues: [String: String] = [:]
    /// Foreign keys that include the tenant column and need a parent row, each with the parent's rows.
    private var parents: [(key: LiveTable.ForeignKey, rows: ProbeRows)] = []

    /// How deep parents of parents are written for composite foreign keys.
    static let maxDepth = 3

    init(spec: Spec, table: Table?, schema: String, name: String, scopeColumn: String, castScope: Bool, connection: Connection,
         tenants: [String], depth: Int = 0, path: Set<String> = [], ledger: Ledger = Ledger(), storage: (schema: String, name: String)? = nil) {
        self.spec = spec
        self.storage = storage
        self.table = table
        self.schema = schema
        self.name = name
        self.scopeColumn = scopeColumn
        self.castScope = castScope
        self.connection = connection
        self.tenants = tenants
        self.depth = depth
        self.path = path.union([SQL.qualified(schema, name)])
        self.ledger = ledger
        columns = specColumns
    }

    var qualified: String { SQL.qualified(schema, name) }
    /// The relation the verifier reads and seeds: the storage behind a wall view, else the table itself.
    var source: String { storage.map { SQL.qualified($0.schema, $0.name) } ?? qualified }

    /// The spec's columns a probe row names, as before: the tenant column, those without a default, and key
    /// columns that are not identities.
    var specColumns: [String] {
        guard let table else { return [] }
        return table.columns.filter {
            $0.name == scopeColumn || $0.defaultValue == nil || table.primaryKey.contains($0.name) && $0.defaultValue != .function("identity")
        }.map(\.name)
    }

    // MARK: reading, as the verifier

    /// Reads the live table and the values its probe rows take from existing rows; without a live table
    /// (the spec names a table the database lacks) the rows are the spec's, and writing them says why not.
    func load() throws {
        guard let live = try LiveTable.read(connection, schema: storage?.schema ?? schema, name: storage?.name ?? name) else { return }
        self.live = live
        let specNamed = specColumns.filter { name in live.column(name).map { !$0.serverWritten } ?? true }
        let required = live.columns.filter { column in
            !column.serverWritten && !specNamed.contains(column.name)
                && (column.name == scopeColumn || (column.notNull || live.primaryKey.contains(column.name)) && !column.filledByServer)
        }.map(\.name)
        columns = specNamed + required

        let liveNamed = columns.filter { live.column($0) != nil }
        if !liveNamed.isEmpty && liveNamed.contains(where: { live.checked.contains($0) || live.column($0)!.isDomain }) {
            samples = try connection.query("SELECT \(texts(liveNamed)) FROM \(source) LIMIT 16").named.map(\.values)
        }
        for (index, key) in live.foreignKeys.enumerated() where !key.columns.contains(scopeColumn) && key.columns.contains(where: columns.contains) {
            if let row = try connection.query("SELECT \(texts(key.refColumns)) FROM \(key.refName) LIMIT 1").rows.first { foreignValues[index] = row }
        }
        for name in columns where uniqueWithoutScope(name) && live.column(name)?.category.isNumber == true {
            if let max = try connection.query("SELECT max(\(SQL.ident(name)))::text FROM \(source)").scalar { maxValues[name] = max }
        }
        if live.isPartitioned && !live.hasDefaultPartition { partitionTuples = try partitionValues(live) }
        for key in live.foreignKeys where key.columns.contains(scopeColumn) && Self.needsParent(key, scope: scopeColumn, live) {
            guard depth < Self.maxDepth, !path.contains(key.refName), let at = key.columns.firstIndex(of: scopeColumn) else { continue }
            let parentTable = spec.tables.first { $0.schema == key.refSchema && $0.name == key.refTable }
            let parent = ProbeRows(spec: spec, table: parentTable, schema: key.refSchema, name: key.refTable, scopeColumn: key.refColumns[at],
                                   castScope: false, connection: connection, tenants: tenants, depth: depth + 1, path: path, ledger: ledger)
            try parent.load()
            parents.append((key, parent))
        }
        try loadWallTenants()
    }

    /// A walled table's wall admits, in admin mode, the tenants of the tenants table (`admin_tenant_ids()`): each
    /// probe tenant is written there first, as a foreign key's parent row would be.
    func loadWallTenants() throws {
        guard storage != nil, depth < Self.maxDepth, let tenantsTable = Self.wallTenants(spec),
              let key = tenantsTable.scopeColumn(tenancy: spec.tenancy) else { return }
        let reference = SQL.qualified(tenantsTable.schema, tenantsTable.name)
        guard !parents.contains(where: { $0.key.refName == reference }), !path.contains(reference) else { return }
        let parent = ProbeRows(spec: spec, table: tenantsTable, schema: tenantsTable.schema, name: tenantsTable.name, scopeColumn: key,
                               castScope: false, connection: connection, tenants: tenants, depth: depth + 1, path: path, ledger: ledger)
        try parent.load()
        let implied = LiveTable.ForeignKey(columns: [scopeColumn], refSchema: tenantsTable.schema, refTable: tenantsTable.name, refColumns: [key], matchFull: true)
        parents.append((implied, parent))
    }

    /// The tenants table walls read for admin mode, when the spec walls any table.
    static func wallTenants(_ spec: Spec) -> Table? {
        spec.tables.contains(where: \.isWalled) ? spec.adminTenantsTable : nil
    }

    /// Whether a foreign key that includes the tenant column needs a row to point at: a NULL in another of its
    /// columns switches a MATCH SIMPLE check off, so only a key of the tenant column alone, MATCH FULL, or
    /// one whose other columns are NOT NULL needs a parent row.
    static func needsParent(_ key: LiveTable.ForeignKey, scope: String, _ live: LiveTable) -> Bool {
        let others = key.columns.filter { $0 != scope }
        return others.isEmpty || key.matchFull || others.contains { live.column($0)?.notNull ?? true }
    }

    /// The tables seeding writes into besides this one, parents of parents included (read from the catalog
    /// only): tables whose probes write into the same table must not be probed at once, or one waits on the
    /// other's uncommitted probe tenant.
    static func parentTables(_ db: Connection, schema: String, name: String, scopeColumn: String, depth: Int = 0) throws -> Set<String> {
        guard depth < maxDepth, let live = try LiveTable.read(db, schema: schema, name: name) else { return [] }
        var out: Set<String> = []
        for key in live.foreignKeys where key.columns.contains(scopeColumn) && needsParent(key, scope: scopeColumn, live) {
            guard key.refName != live.qualified, let at = key.columns.firstIndex(of: scopeColumn) else { continue }
            out.insert(key.refName)
            out.formUnion(try parentTables(db, schema: key.refSchema, name: key.refTable, scopeColumn: key.refColumns[at], depth: depth + 1))
        }
        return out
    }

    /// Partition key values for a partitioned table with no default partition, each a set of values that
    /// land in one existing partition: taken from existing rows, else from the partitions' bounds (a range's
    /// lower bound and, for dates and times, the next steps inside it; a list's values).
    func partitionValues(_ live: LiveTable) throws -> [[String: String?]] {
        let keys = live.partitionColumns.filter { $0 != scopeColumn }
        guard !keys.isEmpty else { return [] }
        let rows = try connection.query("SELECT DISTINCT \(texts(keys)) FROM (SELECT \(SQL.identList(keys)) FROM \(source) LIMIT 256) AS s LIMIT 8").named.map(\.values)
        if !rows.isEmpty { return rows }
        var out: [[String: String?]] = []
        let top = live.topPartitionColumns
        for partition in live.partitions {
            guard let bound = PartitionBound(partition.bound) else { continue }
            if !bound.values.isEmpty, top.count == 1 {
                out += bound.values.prefix(3).map { [top[0]: $0] }
            } else if bound.lower.count == top.count, bound.lower.allSatisfy({ $0 != nil }) {
                out.append(Dictionary(uniqueKeysWithValues: zip(top, bound.lower)))
                if top.count == 1, let column = live.column(top[0]), let lower = bound.lower[0], let upper = bound.upper.first ?? nil {
                    out += try steps(column, from: lower, below: upper).map { [top[0]: $0] }
                }
            }
        }
        return out
    }

    /// Two more values after `lower` and below `upper` (a day apart for dates, an hour for times, one for
    /// integers), so that rows of one tenant under a unique key need not share a partition key.
    func steps(_ column: LiveTable.LiveColumn, from lower: String, below upper: String) throws -> [String] {
        switch column.category {
        case .date:
            return try connection.query("SELECT ($1::date + k)::text FROM generate_series(1, 2) AS k WHERE $1::date + k < $2::date", [lower, upper]).rows.compactMap { $0[0] }
        case .timestamp:
            let type = column.baseType.contains("with time zone") ? "timestamptz" : "timestamp"
            return try connection.query("SELECT ($1::\(type) + k * interval '1 hour')::text FROM generate_series(1, 2) AS k WHERE $1::\(type) + k * interval '1 hour' < $2::\(type)",
                                        [lower, upper]).rows.compactMap { $0[0] }
        case .smallint, .integer, .bigint:
            guard let low = Int(lower), let high = Int(upper) else { return [] }
            return (1...2).map { low + $0 }.filter { $0 < high }.map(String.init)
        default:
            return []
        }
    }

    // MARK: writing

    /// Writes, as the verifier, the rows in other tables that a probe row of `tenant` points at; returns what
    /// it ran (without the RETURNING that reads back what the server filled in). A failing statement is thrown as a `Failure` that names it.
    func prepare(_ tenant: String) throws -> [String] {
        var ran: [String] = []
        for (_, parent) in parents {
            let key = parent.qualified + "\u{0}" + tenant
            guard ledger.rows[key] == nil else { continue }
            ran += try parent.prepare(tenant)
            let seed = 500 + (tenants.firstIndex(of: tenant) ?? 0)
            let liveColumns = parent.live?.columns.map(\.name) ?? []
            let insert = parent.insert(tenant: tenant, seed: seed)
            let sql = insert + (liveColumns.isEmpty ? "" : " RETURNING \(parent.texts(liveColumns))")
            do {
                ledger.rows[key] = try connection.query(sql).named.first?.values ?? [:]
            } catch let error as PostgresError {
                throw Failure(statement: sql, error: error)
            }
            // Recorded without RETURNING (the pgTAP script replays it; psql would print the row among the tests).
            ran.append(insert)
            if !ledger.removed.contains(parent.qualified) {
                ledger.removed.insert(parent.qualified)
                ledger.tables.append((parent.schema, parent.name, parent.scopeColumn))
                ledger.removals.append("DELETE FROM \(parent.qualified) WHERE \(SQL.ident(parent.scopeColumn)) IN (\(tenants.map(SQL.literal).joined(separator: ", ")))")
            }
        }
        return ran
    }

    /// A probe row of `tenant`: `seed` makes its values distinct from the other probe rows'.
    func insert(tenant: String, seed: Int, intoSource: Bool = false) -> String {
        "INSERT INTO \(intoSource ? source : qualified) (\(SQL.identList(columns)))\(overriding(columns)) VALUES (\(columns.map { value($0, tenant: tenant, seed: seed) }.joined(separator: ", ")))"
    }

    /// Probe rows that live together (a tenant's two, and the one a check adds) take different existing rows'
    /// values and partition keys.
    func slot(_ seed: Int) -> Int { seed >= 900 ? 2 : (seed - 1) % 10 }

    func value(_ name: String, tenant: String, seed: Int) -> String {
        let specType = table?.column(name)?.type
        if name == scopeColumn { return castScope ? SQL.literal(tenant) + "::" + spec.tenancy.type.rawValue : SQL.literal(tenant) }
        guard let live, let column = live.column(name) else { return ProbeValues.literal(forType: specType ?? "text", seed: seed) }
        if let key = live.foreignKeys.first(where: { $0.columns.contains(scopeColumn) && $0.columns.contains(name) }) {
            guard let parent = parents.first(where: { $0.key.columns == key.columns && $0.key.refName == key.refName }),
                  let at = key.columns.firstIndex(of: name), let row = ledger.rows[parent.rows.qualified + "\u{0}" + tenant] else { return "NULL" }
            return literal(row[key.refColumns[at]] ?? nil)
        }
        if let index = live.foreignKeys.firstIndex(where: { $0.columns.contains(name) }) {
            if let row = foreignValues[index], let at = live.foreignKeys[index].columns.firstIndex(of: name) { return literal(row[at]) }
            if !column.notNull { return "NULL" }
        }
        if !partitionTuples.isEmpty, live.partitionColumns.contains(name) {
            return literal(partitionTuples[slot(seed) % partitionTuples.count][name] ?? nil)
        }
        let sample = samples.isEmpty ? nil : samples[slot(seed) % samples.count][name] ?? nil
        let constrained = live.checked.contains(name) || column.isDomain
        if uniqueWithoutScope(name) {
            if let max = maxValues[name].flatMap({ Int($0) }) { return SQL.literal(String(max + seed)) }
            if constrained, let sample, column.category == .text { return SQL.literal("probe\(seed)-" + sample) }
        }
        if constrained, !samples.isEmpty {
            if let sample, column.category == .text, uniqueWithScope(name) { return SQL.literal("probe\(seed)-" + sample) }
            return literal(sample)
        }
        if !column.labels.isEmpty { return SQL.literal(column.labels[seed % column.labels.count]) }
        if let specType, column.labels.isEmpty, !column.isDomain, TypeName.normalize(specType).map(TypeCategory.init) == column.category {
            return ProbeValues.literal(forType: specType, seed: seed)
        }
        if column.isArray { return SQL.literal("{}") }
        var text = ProbeValues.text(column.category, seed: seed)
        // varchar(n) and char(n) hold n characters: keep the distinct end.
        if column.category == .text, column.typmod > 4, text.count > column.typmod - 4 { text = String(text.suffix(column.typmod - 4)) }
        return SQL.literal(text)
    }

    /// A value as an untyped literal: in an INSERT's VALUES the server reads it as the column's type (an enum,
    /// a domain), which a cast to a spec's base type would not allow.
    func literal(_ value: String?) -> String { value.map(SQL.literal) ?? "NULL" }

    /// A value copied from an existing row, for an INSERT naming the column: cast to the spec's type when the
    /// spec names the column with the type the table has, untyped otherwise.
    func copied(_ value: String?, column name: String) -> String {
        guard let value else { return "NULL" }
        if let specType = table?.column(name)?.type {
            let normalized = TypeName.normalize(specType) ?? specType
            guard let column = live?.column(name) else { return SQL.literal(value) + "::" + normalized }
            if column.labels.isEmpty, !column.isDomain, TypeName.normalize(specType).map(TypeCategory.init) == column.category {
                return SQL.literal(value) + "::" + normalized
            }
        }
        return SQL.literal(value)
    }

    /// Columns an INSERT copying an existing row names (the spec's, then the table's own, generated columns
    /// left out); with `identities` false, identity columns outside the primary key are left out too.
    func copyColumns(identities: Bool) -> [String] {
        let spec = table?.columns.map(\.name) ?? []
        let names = live.map { live in spec.filter { live.column($0) != nil } + live.columns.map(\.name).filter { !spec.contains($0) } } ?? spec
        let key = primaryKey
        return names.filter { name in
            if let column = live?.column(name) {
                if !column.generated.isEmpty { return false }
                if !identities && !column.identity.isEmpty && !key.contains(name) { return false }
            }
            return identities || table?.column(name)?.defaultValue != .function("identity") || key.contains(name)
        }
    }

    /// Whether copying into `columns` needs `OVERRIDING SYSTEM VALUE` (an identity GENERATED ALWAYS among them).
    func overriding(_ columns: [String]) -> String {
        columns.contains { live?.column($0)?.identity == "a" } ? " OVERRIDING SYSTEM VALUE" : ""
    }

    /// The table's primary key: the live one, else the spec's.
    var primaryKey: [String] { live.map(\.primaryKey).flatMap { $0.isEmpty ? nil : $0 } ?? table?.primaryKey ?? [] }

    func uniqueWithoutScope(_ name: String) -> Bool { live?.uniques.contains { $0.contains(name) && !$0.contains(scopeColumn) } ?? false }
    func uniqueWithScope(_ name: String) -> Bool { live?.uniques.contains { $0.contains(name) && $0.contains(scopeColumn) } ?? false }

    /// `"a"::text AS "a", …`: values as text under their own names.
    func texts(_ names: [String]) -> String { names.map { SQL.ident($0) + "::text AS " + SQL.ident($0) }.joined(separator: ", ") }
}
