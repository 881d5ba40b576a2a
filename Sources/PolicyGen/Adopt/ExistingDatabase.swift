/// What `tenantwall init` reads from the catalog of a database that is not yet under tenantwall: plain values,
/// filled in by `ExistingDatabaseReader` (Tenantwall) and turned into a spec by `SpecInference`, so that every
/// decision about the database is made here, without a server, and can be tested with hand-written values.
public struct ExistingDatabase: Sendable {
    public var tables: [Table] = []
    public var policies: [Policy] = []
    public var functions: [Function] = []
    public var materializedViews: [MaterializedView] = []
    public var roles: [Role] = []
    /// The server's `current_date` (`YYYY-MM-DD`): which partitions lie ahead.
    public var today: String = ""

    public init(tables: [Table] = [], policies: [Policy] = [], functions: [Function] = [], materializedViews: [MaterializedView] = [],
                roles: [Role] = [], today: String = "") {
        self.tables = tables
        self.policies = policies
        self.functions = functions
        self.materializedViews = materializedViews
        self.roles = roles
        self.today = today
    }

    public struct Column: Sendable, Equatable {
        public var name: String
        /// `format_type` read with `search_path = pg_catalog`: built-in types by their SQL names
        /// (`timestamp with time zone`, `numeric(12,2)`), user-defined ones schema-qualified (`raw.event_kind`).
        public var type: String
        public var notNull: Bool
        /// `pg_get_expr` of the default, as the server deparses it (`'free'::text`, `now()`, `nextval(…)`).
        public var defaultExpression: String?
        /// `GENERATED … AS IDENTITY`.
        public var identity: Bool
        /// `GENERATED ALWAYS AS (…) STORED`: its expression is not a default a spec can carry.
        public var generated: Bool

        public init(name: String, type: String, notNull: Bool = false, defaultExpression: String? = nil, identity: Bool = false, generated: Bool = false) {
            self.name = name
            self.type = type
            self.notNull = notNull
            self.defaultExpression = defaultExpression
            self.identity = identity
            self.generated = generated
        }
    }

    public struct ForeignKey: Sendable, Equatable {
        public var columns: [String]
        /// `schema.name` of the referenced table.
        public var references: String
        public var referencedColumns: [String]

        public init(columns: [String], references: String, referencedColumns: [String]) {
            self.columns = columns
            self.references = references
            self.referencedColumns = referencedColumns
        }
    }

    public struct Index: Sendable, Equatable {
        public var name: String
        /// Key columns in order; nil for an expression.
        public var columns: [String?]
        public var descending: [Bool]
        public var include: [String]
        public var unique: Bool
        /// The index backs the primary key (written as `primary_key`, not as an index).
        public var primary: Bool
        /// `pg_get_expr` of the partial-index predicate.
        public var predicate: String?
        /// Access method: `btree`, `gin`, `gist`, …
        public var method: String

        public init(name: String, columns: [String?], descending: [Bool]? = nil, include: [String] = [], unique: Bool = false, primary: Bool = false,
                    predicate: String? = nil, method: String = "btree") {
            self.name = name
            self.columns = columns
            self.descending = descending ?? columns.map { _ in false }
            self.include = include
            self.unique = unique
            self.primary = primary
            self.predicate = predicate
            self.method = method
        }
    }

    /// A privilege on a table held by a role other than its owner (PUBLIC as `PUBLIC`), as `aclexplode` names
    /// it: `SELECT`, `INSERT`, `UPDATE`, `DELETE`, `TRUNCATE`, `REFERENCES`, `TRIGGER`.
    public struct Grant: Sendable, Equatable {
        public var role: String
        public var privileges: [String]

        public init(role: String, privileges: [String]) {
            self.role = role
            self.privileges = privileges
        }
    }

    /// One partition of a partitioned table: its name and `pg_get_expr` of its bound
    /// (`FOR VALUES FROM ('2026-10-01') TO ('2026-11-01')`, or `DEFAULT`).
    public struct Partition: Sendable, Equatable {
        public var name: String
        public var bound: String

        public init(name: String, bound: String) {
            self.name = name
            self.bound = bound
        }
    }

    /// A TimescaleDB hypertable's dimensions (from `timescaledb_information.dimensions`).
    public struct HypertableInfo: Sendable, Equatable {
        public var timeColumn: String
        /// The chunk interval in seconds; nil for an integer time column.
        public var chunkSeconds: Int?
        /// A hash ("space") dimension: its column and number of partitions.
        public var spaceColumn: String?
        public var spacePartitions: Int?
        /// Where the chunks are created (`associated_schema_name`).
        public var chunkSchema: String?
        /// The retention policy's `drop_after`, in seconds.
        public var retentionSeconds: Int?

        public init(timeColumn: String, chunkSeconds: Int?, spaceColumn: String? = nil, spacePartitions: Int? = nil, chunkSchema: String? = nil,
                    retentionSeconds: Int? = nil) {
            self.timeColumn = timeColumn
            self.chunkSeconds = chunkSeconds
            self.spaceColumn = spaceColumn
            self.spacePartitions = spacePartitions
            self.chunkSchema = chunkSchema
            self.retentionSeconds = retentionSeconds
        }
    }

    public struct Table: Sendable {
        public var schema: String
        public var name: String
        public var owner: String
        public var columns: [Column]
        public var primaryKey: [String]
        public var foreignKeys: [ForeignKey]
        public var indexes: [Index]
        public var grants: [Grant]
        /// `r` (range), `l` (list), `h` (hash) for a partitioned table; nil otherwise.
        public var partitionStrategy: String?
        /// The partition key's columns; nil entries are expressions.
        public var partitionKey: [String?]
        public var partitions: [Partition]
        /// `partman.part_config.premake` when pg_partman manages the table.
        public var partmanPremake: Int?
        public var hypertable: HypertableInfo?
        public var rowSecurity: Bool

        public init(schema: String, name: String, owner: String, columns: [Column], primaryKey: [String] = [], foreignKeys: [ForeignKey] = [],
                    indexes: [Index] = [], grants: [Grant] = [], partitionStrategy: String? = nil, partitionKey: [String?] = [],
                    partitions: [Partition] = [], partmanPremake: Int? = nil, hypertable: HypertableInfo? = nil, rowSecurity: Bool = false) {
            self.schema = schema
            self.name = name
            self.owner = owner
            self.columns = columns
            self.primaryKey = primaryKey
            self.foreignKeys = foreignKeys
            self.indexes = indexes
            self.grants = grants
            self.partitionStrategy = partitionStrategy
            self.partitionKey = partitionKey
            self.partitions = partitions
            self.partmanPremake = partmanPremake
            self.hypertable = hypertable
            self.rowSecurity = rowSecurity
        }

        public var qualifiedName: String { schema + "." + name }
        public func column(_ name: String) -> Column? { columns.first { $0.name == name } }
        public func privileges(of role: String) -> [String] { grants.first { $0.role == role }?.privileges ?? [] }
    }

    public struct Policy: Sendable, Equatable {
        /// `schema.name` of the table.
        public var table: String
        public var name: String
        public var using: String?
        public var check: String?

        public init(table: String, name: String, using: String?, check: String? = nil) {
            self.table = table
            self.name = name
            self.using = using
            self.check = check
        }
    }

    /// A function outside the extensions and tenantwall's own schema, with its source when it is SQL or PL/pgSQL.
    public struct Function: Sendable, Equatable {
        /// `regprocedure` read with `search_path = pg_catalog`: `public.set_tenant_context(uuid)`.
        public var signature: String
        public var owner: String
        public var body: String?

        public init(signature: String, owner: String, body: String?) {
            self.signature = signature
            self.owner = owner
            self.body = body
        }
    }

    public struct MaterializedView: Sendable, Equatable {
        /// `schema.name`.
        public var name: String
        public var owner: String
        /// The relations its query reads (`schema.name`), from the catalog's dependencies.
        public var reads: [String]

        public init(name: String, owner: String, reads: [String]) {
            self.name = name
            self.owner = owner
            self.reads = reads
        }
    }

    public struct Role: Sendable, Equatable {
        public var name: String
        public var superuser: Bool
        public var bypassRLS: Bool

        public init(name: String, superuser: Bool = false, bypassRLS: Bool = false) {
            self.name = name
            self.superuser = superuser
            self.bypassRLS = bypassRLS
        }
    }

    public func table(_ qualifiedName: String) -> Table? { tables.first { $0.qualifiedName == qualifiedName } }
    public func role(_ name: String) -> Role? { roles.first { $0.name == name } }
}
