/// A tenant model: how tenants are identified, which roles exist, and how every table is isolated.
///
/// Built by `SpecLoader` from one or more YAML files, then checked by `SpecValidator`. Every value keeps
/// where it came from, so later checks can still point at the line.
public struct Spec: Sendable {
    public var tenancy: Tenancy
    public var roles: Roles
    public var tables: [Table]
    /// Functions of the database's own that set a context or a flag outside tenantwall (an adopted database's
    /// `set_tenant_context()`, a session `enable_admin_mode()`), and what tenantwall does with each.
    public var legacyFunctions: [LegacyFunction]
    /// Materialized views over tenant tables, each read through a walled view (see `Rollup`).
    public var rollups: [Rollup]
    /// The files the spec came from, in load order (for headers and fingerprints).
    public var files: [String]

    public init(tenancy: Tenancy, roles: Roles, tables: [Table], legacyFunctions: [LegacyFunction] = [], rollups: [Rollup] = [], files: [String]) {
        self.tenancy = tenancy
        self.roles = roles
        self.tables = tables
        self.legacyFunctions = legacyFunctions
        self.rollups = rollups
        self.files = files
    }
}

/// A function an existing database uses to set its tenant context or an access flag, named in the spec so
/// that taking the database over is a decision, not a surprise: left as it is, it keeps doing what it did
/// (a session-scope setter leaks a tenant through a pooler; a flag it sets no longer opens anything once
/// tenantwall's policies replace the old ones).
public struct LegacyFunction: Sendable {
    /// `schema.name(argument types)`, as `to_regprocedure` reads it.
    public var signature: String
    public var action: LegacyAction
    public var location: SourceLocation?

    public init(signature: String, action: LegacyAction, location: SourceLocation? = nil) {
        self.signature = signature
        self.action = action
        self.location = location
    }

    /// Schema, name and argument types, or nil when the signature is not of the form `schema.name(type, …)`.
    public var parts: (schema: String, name: String, arguments: [String])? {
        guard let open = signature.firstIndex(of: "("), signature.hasSuffix(")") else { return nil }
        let qualified = signature[..<open].split(separator: ".", omittingEmptySubsequences: false).map(String.init)
        guard qualified.count == 2 else { return nil }
        let inside = signature[signature.index(after: open)..<signature.index(before: signature.endIndex)]
        let arguments = inside.split(separator: ",").map { $0.trimmingTrailingSpaces().trimmingLeadingSpaces() }
        return (qualified[0], qualified[1], arguments)
    }
}

public enum LegacyAction: String, CaseIterable, Sendable {
    /// Replaced in place by a shim of the same signature (parameter names and result kept) that calls
    /// tenantwall's transaction-scoped setter: the application's calls keep working, and the context no longer
    /// outlives the transaction.
    case replace
    /// EXECUTE revoked from PUBLIC and the access roles: the function stays for its owner.
    case revoke
    /// Left as it is (plan keeps saying what it does).
    case keep
}

/// How the table owner's own sessions see rows of RLS tables (FORCE binds the owner too).
public enum OwnerAccess: String, CaseIterable, Sendable {
    /// As the policies say: none of the access roles' policies name the owner, so it sees no row. For a
    /// database whose owner only runs migrations.
    case none
    /// Every row, through a policy for the owner alone: its jobs, refreshes of materialized views and
    /// maintenance keep working. The application must never connect as the owner (audit TW113/TW130).
    case all
}

public enum TenantType: String, CaseIterable, Sendable {
    case uuid, bigint, integer, text

    /// Whether ids are numbers (JSON numbers in a token's claim).
    public var isNumeric: Bool { self == .bigint || self == .integer }
}

/// Whether the helper functions are installed with `CREATE EXTENSION tenantwall` or inlined as plain SQL
/// (for managed services that cannot install custom extensions).
public enum HelperInstall: String, CaseIterable, Sendable {
    case inline, `extension`
}

/// How a session is bound to a tenant.
public enum Binding: String, CaseIterable, Sendable {
    /// The trusted application sets the tenant id per transaction: any code that can run SQL on the
    /// application's connection can choose any tenant.
    case context
    /// The application presents a signed token (JWT, HS256); the database checks the signature with a secret
    /// the application roles cannot read, and the tenant comes from a claim.
    case signed
    /// Each tenant has its own login role (`tenant add` creates it); the tenant comes from the session's role
    /// through a mapping the tenant roles can read but not change.
    case role
}

/// Where the tables live: one server, or a Citus cluster distributed by the tenant column.
public enum Distribution: String, CaseIterable, Sendable {
    case none
    /// Tenant tables (and the tenants table, by its key) are distributed by the tenant column and colocated;
    /// shared tables are reference tables; exempt tables stay on the coordinator.
    case citus
}

/// Citus: what a tenant's transaction may do with a statement that runs on more than one shard. The setter
/// sets `citus.multi_task_query_log_level` for the transaction it binds, so a statement that forgot to name
/// its tenant (and fans out to every shard) is reported or refused where it runs. A guard against slow
/// statements, not a wall: the policies hold either way, and a session may lower the level itself.
public enum FanOut: String, CaseIterable, Sendable {
    /// Nothing is said.
    case allow
    /// A WARNING for each such statement, to the client and the server log.
    case warning
    /// Each such statement fails (SQLSTATE XX000, "multi-task query about to be executed").
    case error
}

/// Citus: where one table lives.
public enum TableDistribution: String, CaseIterable, Sendable {
    /// Distributed by the tenant column, colocated with the other tenant tables.
    case distributed
    /// Copied to every node (shared tables).
    case reference
    /// Left on the coordinator.
    case local
}

/// How long a context set with `set_tenant_context()` lasts.
public enum ContextScope: String, CaseIterable, Sendable {
    /// Ends with the transaction: a pooled connection never carries a tenant into the next client's transaction.
    case transaction
    /// Lasts for the session: only for applications that own their connections. `verify` flags it.
    case session
}

/// What a tenant policy does for a statement of an access role that runs without a tenant context.
public enum MissingContext: String, CaseIterable, Sendable {
    /// No tenant: zero rows, writes rejected by row-level security (42501). Quiet, and a forgotten
    /// `set_tenant_context()` looks like an empty tenant.
    case empty
    /// The statement fails with SQLSTATE `TW001`, naming the role, the table and the setter: a forgotten
    /// context (or one lost to a pooler) is a loud error. The admin role stays quiet (admin mode is tenant-less).
    case error

    /// The SQLSTATE of the `error` mode's exception (class TW is tenantwall's own, unused by PostgreSQL).
    public static let sqlState = "TW001"
}

public struct Tenancy: Sendable {
    public var column: String = "tenant_id"
    public var type: TenantType = .uuid
    public var setting: String = "app.current_tenant_id"
    public var helperSchema: String = "tenantwall"
    public var scope: ContextScope = .transaction
    /// `tenancy.missing_context`: a tenant statement without a context reads nothing (`empty`) or fails (`error`).
    public var missingContext: MissingContext = .empty
    public var helpers: HelperInstall = .inline
    /// How a session is bound to its tenant.
    public var binding: Binding = .context
    /// `signed` binding: the setting that carries the token, and the claim path (dot-separated) holding the tenant.
    public var tokenSetting: String = "app.tenant_token"
    public var claim: String = "tenant_id"
    /// `role` binding: tenant login roles are named this prefix plus the tenant id.
    public var tenantRolePrefix: String = "tenant_"
    /// One server, or a Citus cluster.
    public var distribution: Distribution = .none
    /// Citus: what happens to a tenant's statement that fans out to every shard.
    public var fanOut: FanOut = .allow
    public var location: SourceLocation?

    public init() {}

    /// Whether the session's tenant comes from the extension's native (C) reader: the context and signed
    /// bindings on `helpers: extension` (the role binding's reader reads a table).
    public var nativeReader: Bool { helpers == .extension && binding != .role }

    public var citus: Bool { distribution == .citus }
}

public struct Roles: Sendable {
    /// Owns the tables and runs migrations. Never used by the application.
    public var owner: String = ""
    /// The application's role: subject to RLS, never the owner.
    public var app: String = ""
    /// Members may call `enable_admin_mode()` to see every tenant, with each call recorded. Optional: empty
    /// when the database has no admin role (no admin policies, nobody may enable admin mode).
    public var admin: String = ""
    /// Login roles (e.g. an ingestion service) granted membership of the admin role.
    public var adminMembers: [String] = []
    /// Read-only roles such as reporting or BI; tenant-scoped like the application.
    public var readonly: [String] = []
    /// Whether the generated SQL creates missing roles (as NOLOGIN, NOBYPASSRLS).
    public var create: Bool = true
    /// How the owner's own sessions (jobs, refreshes, maintenance) see rows of RLS tables.
    public var ownerAccess: OwnerAccess = .none
    public var locations: [String: SourceLocation] = [:]

    public init() {}

    /// Every role the application side uses: these must never bypass RLS.
    public var accessRoles: [String] { ([app, admin] + readonly).filter { !$0.isEmpty } }

    public var hasAdmin: Bool { !admin.isEmpty }
}

public enum Isolation: String, CaseIterable, Sendable {
    /// Rows scoped by the tenant column.
    case tenant
    /// Readable by every tenant; writable only in admin mode.
    case shared
    /// The tenants table itself, keyed by its id.
    case `self`
    /// No RLS; requires a written reason.
    case exempt
}

public enum Command: String, CaseIterable, Sendable, Comparable {
    case select, insert, update, delete

    public static func < (a: Command, b: Command) -> Bool {
        allCases.firstIndex(of: a)! < allCases.firstIndex(of: b)!
    }

    public var sql: String { rawValue.uppercased() }
}

public struct Column: Sendable {
    public var name: String
    /// A validated type name, e.g. `timestamptz`, `numeric(12,2)`, `text[]`.
    public var type: String
    public var notNull: Bool
    public var defaultValue: ColumnDefault?
    public var location: SourceLocation?

    public init(name: String, type: String, notNull: Bool = false, defaultValue: ColumnDefault? = nil, location: SourceLocation? = nil) {
        self.name = name
        self.type = type
        self.notNull = notNull
        self.defaultValue = defaultValue
        self.location = location
    }
}

/// Column defaults are values or one of a few known functions, never free SQL.
public enum ColumnDefault: Sendable, Equatable {
    case string(String)
    case number(String)
    case bool(Bool)
    case function(String)

    /// The functions a spec may name as a default.
    public static let functions = ["now()", "gen_random_uuid()", "current_timestamp", "clock_timestamp()", "current_date", "identity"]
}

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
}

/// A TimescaleDB hypertable. Its chunks live in `chunkSchema`, a schema that read-only roles cannot use, and
/// the access roles hold only column-level privileges on it, which TimescaleDB does not copy to new chunks.
public struct Hypertable: Sendable {
    public var timeColumn: String
    public var chunkInterval: String
    public var retention: String?
    /// Where the chunks are created (`associated_schema_name`); nil means `<helper_schema>_chunks`.
    public var chunkSchema: String?
    /// Hash partitions on the tenant column (a second, "space" dimension); nil for time only.
    public var spacePartitions: Int?
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

public enum PartitionManager: String, CaseIterable, Sendable {
    case native
    case pg_partman
}

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

public struct Table: Sendable {
    public var schema: String
    public var name: String
    public var isolation: Isolation
    /// For `self` tables: the column holding the tenant's id.
    public var key: String?
    /// For `exempt` tables: why they need no RLS.
    public var reason: String?
    public var columns: [Column]
    public var primaryKey: [String]
    /// Role name → commands it may run.
    public var grants: [(role: String, commands: [Command])]
    /// Where each grant's role is named, for diagnostics.
    public var grantLocations: [String: SourceLocation] = [:]
    /// An extra condition every row must satisfy, added as a RESTRICTIVE policy (SQL, one expression).
    public var restrict: String?
    public var restrictLocation: SourceLocation?
    public var indexes: [Index]
    public var hypertable: Hypertable?
    public var partitioning: Partitioning?
    /// Citus: where the table lives, when not the default for its isolation (tenant and self tables
    /// distributed, shared ones reference tables, exempt ones on the coordinator).
    public var distribution: TableDistribution?
    public var location: SourceLocation?

    public init(schema: String, name: String, isolation: Isolation, key: String? = nil, reason: String? = nil, columns: [Column],
                primaryKey: [String] = [], grants: [(role: String, commands: [Command])] = [], restrict: String? = nil, indexes: [Index] = [],
                hypertable: Hypertable? = nil, partitioning: Partitioning? = nil, distribution: TableDistribution? = nil,
                location: SourceLocation? = nil) {
        self.schema = schema
        self.name = name
        self.isolation = isolation
        self.key = key
        self.reason = reason
        self.columns = columns
        self.primaryKey = primaryKey
        self.grants = grants
        self.restrict = restrict
        self.indexes = indexes
        self.hypertable = hypertable
        self.partitioning = partitioning
        self.distribution = distribution
        self.location = location
    }

    public var qualifiedName: String { "\(schema).\(name)" }

    /// On Citus: the column a tenant or tenants table is distributed by (the tenant column, or the tenants
    /// table's key); nil for reference (shared) and coordinator-local (exempt) tables.
    public func citusDistributionColumn(tenancy: Tenancy) -> String? {
        guard tenancy.citus, citusPlacement(tenancy: tenancy) == .distributed else { return nil }
        return scopeColumn(tenancy: tenancy)
    }

    /// Citus: where the table lives (the spec's `distribution`, else the default for its isolation).
    public func citusPlacement(tenancy: Tenancy) -> TableDistribution? {
        guard tenancy.citus else { return nil }
        if let distribution { return distribution }
        switch isolation {
        case .tenant, .self: return .distributed
        case .shared: return .reference
        case .exempt: return .local
        }
    }

    public func column(_ name: String) -> Column? { columns.first { $0.name == name } }

    /// The column that scopes rows to a tenant, if any.
    public func scopeColumn(tenancy: Tenancy) -> String? {
        switch isolation {
        case .tenant: return tenancy.column
        case .self: return key ?? "id"
        case .shared, .exempt: return nil
        }
    }

    public func commands(for role: String) -> [Command] {
        grants.first { $0.role == role }?.commands ?? []
    }
}
