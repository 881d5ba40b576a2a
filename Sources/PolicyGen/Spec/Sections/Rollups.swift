import Yams

/// The `rollups` section (derived data): materialized views over tenant tables, read through walled views. It
/// owns a rollup's keys, how they are read, and every diagnostic about its source, outputs and refresh.
///
/// A rollup: a materialized view over one tenant table, grouped by tenant, that the access roles read only
/// through a walled view.
///
/// PostgreSQL never applies row-level security to a materialized view: whoever may read it reads every
/// tenant's rows. So the materialized view lives in a private schema (`<helper_schema>_rollups`) that no
/// access role may use, owned by the owner; the application reads a view of the same name in the rollup's
/// schema, `WITH (security_barrier)`, filtered by the tenant reader. The view runs as its owner (it may read
/// the private one), the reader runs as the caller (it returns the caller's tenant), and the barrier keeps a
/// caller's leaky function from seeing rows before the filter does. The refresh runs as the owner, which sees
/// every tenant's rows through its own policy (`roles.owner_access: all`).
public struct Rollup: Sendable {
    /// The walled view's name; also the materialized view's name in the private schema.
    public var name: String
    /// Where the walled view lives; nil means the source table's schema.
    public var schema: String?
    /// The source table, `schema.name` or a name in `public`.
    public var source: String
    /// Output column → expression over the source's columns (a column name, or e.g. `date_trunc('day', at)`).
    /// The tenant column is always the first key and is not listed here.
    public var groupBy: [(name: String, expression: String)]
    /// Output column → an aggregate expression (`count(*)`, `sum(amount)`).
    public var aggregates: [(name: String, expression: String)]
    public var location: SourceLocation?
    public var keyLocations: [String: SourceLocation] = [:]

    public init(name: String, schema: String? = nil, source: String, groupBy: [(name: String, expression: String)],
                aggregates: [(name: String, expression: String)], location: SourceLocation? = nil) {
        self.name = name
        self.schema = schema
        self.source = source
        self.groupBy = groupBy
        self.aggregates = aggregates
        self.location = location
    }

    /// The source as (schema, name).
    public var sourceParts: (schema: String, name: String) {
        let parts = source.split(separator: ".", maxSplits: 1).map(String.init)
        return parts.count == 2 ? (parts[0], parts[1]) : ("public", source)
    }

    /// The schema of the walled view.
    public var viewSchema: String { schema ?? sourceParts.schema }

    public var qualifiedName: String { "\(viewSchema).\(name)" }

    /// The private schema that holds every rollup's materialized view.
    public static func privateSchema(tenancy: Tenancy) -> String { tenancy.helperSchema + "_rollups" }
}

// MARK: - Keys

extension Rollup {
    static let keys: [SpecKey<Rollup>] = [
        SpecKey("name") { rollup, entry, reader in rollup.name = reader.string(entry.value, what: "rollup name") ?? "" },
        SpecKey("schema") { rollup, entry, reader in rollup.schema = reader.string(entry.value, what: "rollup schema") },
        SpecKey("source") { rollup, entry, reader in rollup.source = reader.string(entry.value, what: "rollup source") ?? "" },
        SpecKey("group_by") { rollup, entry, reader in rollup.groupBy = readOutputs(entry.value, &reader, what: "group_by", columnsAllowed: true) },
        SpecKey("aggregates") { rollup, entry, reader in rollup.aggregates = readOutputs(entry.value, &reader, what: "aggregates", columnsAllowed: false) },
    ]

    /// One entry of the list, or nil (reported) when it has no name.
    static func read(_ node: Node, _ reader: inout NodeReader) -> Rollup? {
        guard let entries = reader.entries(node, keys: keys, what: "a rollup") else { return nil }
        var rollup = Rollup(name: "", source: "", groupBy: [], aggregates: [], location: reader.location(node))
        for entry in entries { rollup.keyLocations[entry.key] = reader.location(entry.keyNode) }
        reader.read(entries, into: &rollup, keys: keys)
        if rollup.name.isEmpty { reader.error("a rollup needs a 'name'", node); return nil }
        if rollup.source.isEmpty { reader.error("rollup '\(rollup.name)' needs a 'source' (the tenant table it reads)", node) }
        if rollup.aggregates.isEmpty { reader.error("rollup '\(rollup.name)' needs 'aggregates' (output name: expression, e.g. events: count(*))", node) }
        return rollup
    }

    /// `name: expression` pairs in order; for `group_by`, a list of column names is also accepted.
    static func readOutputs(_ node: Node, _ reader: inout NodeReader, what: String, columnsAllowed: Bool) -> [(name: String, expression: String)] {
        if columnsAllowed, case .sequence = node {
            return (reader.strings(node, what: what) ?? []).map { ($0, $0) }
        }
        var out: [(name: String, expression: String)] = []
        for (key, _, value) in reader.mapping(node, allowed: nil, what: what) ?? [] {
            if let expression = reader.string(value, what: "\(what) '\(key)'") { out.append((key, expression)) }
        }
        return out
    }
}

// MARK: - Checks

extension Rollup {
    /// Each rollup reads one tenant table of the spec, groups by the tenant column first, names each output
    /// once, calls only what `RollupExpression` allows, and is refreshed by an owner that sees every row.
    static func check(_ rollups: [Rollup], _ checks: inout SpecChecks) {
        var seen: [String: SourceLocation] = [:]
        for rollup in rollups {
            rollup.checkPlace(&checks, seen: &seen)
            guard let table = rollup.sourceTable(&checks) else { continue }
            rollup.checkOutputs(of: table, &checks)
            if !table.grants.contains(where: { $0.commands.contains(.select) }) {
                rollup.error("no access role may read '\(table.qualifiedName)', so none would be granted the rollup", "source", &checks)
            }
        }
    }

    /// A diagnostic that names the rollup, at `key` if it was written, else at the rollup.
    private func error(_ message: String, _ key: String, _ checks: inout SpecChecks) {
        checks.error("rollup '\(name)': " + message, keyLocations[key] ?? location)
    }

    /// Its name and schema: unique, not truncated, not a table's, not on Citus; and an owner that sees rows.
    private func checkPlace(_ checks: inout SpecChecks, seen: inout [String: SourceLocation]) {
        let t = checks.tenancy, limit = SpecValidator.maxIdentifierBytes
        if name.utf8.count > limit - 4 {
            error("the name is over \(limit - 4) bytes: its unique index '<name>_key' would be truncated by PostgreSQL", "name", &checks)
        }
        if t.citus { error("rollups are not built on Citus (a materialized view over a distributed table is the coordinator's, gathered from every shard)", "name", &checks) }
        let at = location ?? checks.start
        if let earlier = seen[name] {
            error("another rollup has this name (at \(earlier.file):\(earlier.line)); each has a materialized view of that name in \(Rollup.privateSchema(tenancy: t))", "name", &checks)
        }
        seen[name] = seen[name] ?? at
        if viewSchema.lowercased().hasPrefix("pg_") { error("schema '\(viewSchema)' starts with 'pg_'", "schema", &checks) }
        if checks.spec.tables.contains(where: { $0.schema == viewSchema && $0.name == name }) {
            error("'\(qualifiedName)' is a table of the spec; the walled view needs its own name", "name", &checks)
        }
        // A walled source is read where its rows live, a storage with no RLS: the owner sees every row there.
        let walledSource = checks.spec.tables.contains { $0.schema == sourceParts.schema && $0.name == sourceParts.name && $0.isWalled }
        if checks.roles.ownerAccess != .all && !walledSource {
            error("the refresh runs as the owner, which sees no row of a FORCE-RLS table unless roles.owner_access is 'all' (a rollup refreshed with owner_access: none would be empty)", "source", &checks)
        }
    }

    /// The tenant table of the spec it reads, or nil (reported).
    private func sourceTable(_ checks: inout SpecChecks) -> Table? {
        let tables = checks.spec.tables
        let (schema, name) = sourceParts
        guard let table = tables.first(where: { $0.schema == schema && $0.name == name }) else {
            var message = "source '\(source)' is not a table of the spec"
            let candidates = source.contains(".") ? tables.map(\.qualifiedName) : tables.filter { $0.schema == "public" }.map(\.name)
            if let s = Suggestion.closest(to: source, among: candidates) { message += "; did you mean '\(s)'?" }
            error(message, "source", &checks)
            return nil
        }
        guard table.isolation == .tenant else {
            error("source '\(table.qualifiedName)' has isolation '\(table.isolation.rawValue)'; a rollup reads a tenant table (grouped by \(checks.tenancy.column))", "source", &checks)
            return nil
        }
        return table
    }

    /// Each output named once, never the tenant column; keys call no aggregate, aggregates call one; only
    /// the source's columns.
    private func checkOutputs(of table: Table, _ checks: inout SpecChecks) {
        for (message, key) in Rollup.outputProblems(groupBy: groupBy, aggregates: aggregates, of: table, taken: [checks.tenancy.column], tenantColumn: checks.tenancy.column) {
            error(message, key, &checks)
        }
    }

    /// What is wrong with a derived object's outputs (a rollup's, a continuous aggregate's), each with the key it
    /// belongs to: a name used twice (or already in `taken`), the tenant column listed, a key that aggregates, an
    /// aggregate that does not, an expression `RollupExpression` refuses, a column the source does not have.
    static func outputProblems(groupBy: [(name: String, expression: String)], aggregates: [(name: String, expression: String)],
                               of table: Table, taken: Set<String>, tenantColumn: String) -> [(message: String, key: String)] {
        let limit = SpecValidator.maxIdentifierBytes
        var names = taken, out: [(message: String, key: String)] = []
        for (output, expression, key) in groupBy.map({ ($0.name, $0.expression, "group_by") }) + aggregates.map({ ($0.name, $0.expression, "aggregates") }) {
            if output.isEmpty || output.utf8.count > limit { out.append(("output name '\(output)' must be 1 to \(limit) bytes", key)) }
            if output == tenantColumn { out.append(("'\(output)' is the tenant column, always the first key: do not list it", key)); continue }
            if !names.insert(output).inserted { out.append(("output '\(output)' is named twice", key)) }
            switch RollupExpression.read(expression) {
            case .failure(let problem): out.append(("\(key) '\(output)': \(problem.message)", key))
            case .success(let reading):
                if key == "group_by" && reading.aggregates { out.append(("group_by '\(output)' calls an aggregate", key)) }
                if key == "aggregates" && !reading.aggregates { out.append(("aggregates '\(output)' calls no aggregate (count, sum, …); group by it instead", key)) }
                for column in uniqued(reading.columns) where table.column(column) == nil {
                    var message = "\(key) '\(output)' names column '\(column)', which '\(table.qualifiedName)' does not have"
                    if let s = Suggestion.closest(to: column, among: table.columns.map(\.name)) { message += "; did you mean '\(s)'?" }
                    out.append((message, key))
                }
            }
        }
        return out
    }
}
