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
