import PolicyGen

/// A value snapshot of the parts of a live catalog the rules look at, read by `AuditCatalog.queries` in a
/// handful of set-based queries (no query per table), so auditing 500 tables stays well under a second.
public struct AuditCatalog: Sendable {
    public struct Table: Sendable {
        public var oid: String
        public var schema: String
        public var name: String
        /// `r` table, `p` partitioned, `v` view, `m` materialized view, `f` foreign table.
        public var kind: String
        public var rls: Bool
        public var forced: Bool
        public var owner: String
        /// The parent (a partitioned table or inheritance parent), qualified.
        public var parent: String?
        public var columns: [String]
        /// Table-level privileges, `grantee:PRIVILEGE`, with `PUBLIC` for grants to everyone.
        public var grants: [String]
        public var options: [String]
        /// Roles (and `PUBLIC`) with USAGE on the table's schema: only they can name the table at all.
        public var schemaUsers: [String] = []
        /// Column-level privileges (on at least one column), as `grants`. TimescaleDB does not copy these to chunks.
        public var columnGrants: [String] = []
        public var qualified: String { schema + "." + name }
    }

    public struct Policy: Sendable {
        public var table: String
        public var name: String
        public var permissive: Bool
        /// `r` SELECT, `a` INSERT, `w` UPDATE, `d` DELETE, `*` ALL.
        public var command: String
        public var roles: [String]
        public var using: String?
        public var check: String?
    }

    public struct Role: Sendable {
        public var name: String
        public var superuser: Bool
        public var bypassRLS: Bool
        /// Superuser or BYPASSRLS roles this role is a member of (it can SET ROLE to them).
        public var bypassMemberships: [String]
        /// LOGIN, and a connection limit other than 0 (a LOGIN role with CONNECTION LIMIT 0 only runs jobs).
        public var canLogin: Bool = false
        /// Every role this one is a member of, directly or through others (it can SET ROLE to them).
        public var memberOf: [String] = []
        public var bypasses: Bool { superuser || bypassRLS || !bypassMemberships.isEmpty }
    }

    public struct ForeignKey: Sendable {
        public var table: String
        public var name: String
        public var references: String
        /// The referencing columns.
        public var columns: [String] = []
        /// The referenced columns (the key of `references`), in the same order.
        public var referencedColumns: [String] = []
    }

    /// `ALTER DEFAULT PRIVILEGES` for tables: what `owner` creates (in `schema`, or anywhere when empty) grants
    /// `privilege` to `grantee`.
    public struct DefaultPrivilege: Sendable {
        public var owner: String
        public var schema: String
        public var grantee: String
        public var privilege: String
    }

    public struct Function: Sendable {
        public var schema: String
        public var name: String
        public var signature: String
        public var securityDefiner: Bool
        public var config: [String]
        public var leakproof: Bool
        public var volatility: String
        public var parallel: String
        public var owner: String
        /// Roles with EXECUTE (`PUBLIC` when everyone may call it).
        public var executors: [String]
        /// The source of an SQL or PL/pgSQL function (nil for C and others).
        public var body: String? = nil
        /// A C function of the tenantwall extension (its native context readers).
        public var native = false
        public var qualified: String { schema + "." + name }
    }

    public struct Dependency: Sendable {
        public var view: String
        public var table: String
    }

    public struct Trigger: Sendable {
        public var table: String
        public var name: String
        public var function: String
        public var functionOwner: String
        public var securityDefiner: Bool
    }

    public struct IndexInfo: Sendable {
        public var table: String
        public var name: String
        public var columns: [String]
        /// The definition without the index name, to find duplicates.
        public var shape: String
    }

    public var tables: [Table] = [] { didSet { tablesByName = Dictionary(tables.map { ($0.qualified, $0) }, uniquingKeysWith: { a, _ in a }) } }
    public var policies: [Policy] = [] { didSet { policiesByTable = Dictionary(grouping: policies, by: \.table) } }
    /// Lookups built once when the lists are set: rules ask per table, over catalogs of thousands of policies.
    private(set) var tablesByName: [String: Table] = [:]
    private(set) var policiesByTable: [String: [Policy]] = [:]
    public var roles: [Role] = []
    public var functions: [Function] = [] { didSet { functionsByName = Dictionary(grouping: functions, by: \.name) } }
    private(set) var functionsByName: [String: [Function]] = [:]
    public var dependencies: [Dependency] = []
    public var triggers: [Trigger] = []
    public var indexes: [IndexInfo] = []
    public var foreignKeys: [ForeignKey] = []
    public var defaultPrivileges: [DefaultPrivilege] = []
    /// TimescaleDB hypertables, qualified (empty without TimescaleDB).
    public var hypertables: Set<String> = []
    /// TimescaleDB: each continuous aggregate's view, qualified, and the hypertable it aggregates.
    public var continuousAggregates: [String: String] = [:]
    /// TimescaleDB: hypertables with compression (columnstore) enabled, qualified; they cannot carry RLS.
    public var compressedHypertables: Set<String> = []
    /// Citus distributed tables (hash-distributed), qualified (empty without Citus).
    public var distributed: Set<String> = []
    /// Settings each role carries (`ALTER ROLE … SET`), as `name=value` (read with Citus only).
    public var roleSettings: [String: [String]] = [:]

    public init() {}

    /// A TimescaleDB chunk: a child of a hypertable. TimescaleDB refuses FORCE ROW LEVEL SECURITY on chunks.
    public func isChunk(_ table: Table) -> Bool { table.parent.map(hypertables.contains) ?? false }

    public func table(_ qualified: String) -> Table? { tablesByName[qualified] }
    public func role(_ name: String) -> Role? { roles.first { $0.name == name } }


    /// Tables whose rows belong to tenants: they have the tenant column or row-level security, and are not
    /// partitions (partitions are judged through their parent).
    public func protectedTables(tenantColumn: String) -> [Table] {
        tables.filter { ["r", "p"].contains($0.kind) && $0.parent == nil && ($0.columns.contains(tenantColumn) || $0.rls) && !isPartmanTemplate($0) }
    }

    /// pg_partman's template tables copy the parent's columns but hold no rows and are granted to nobody.
    func isPartmanTemplate(_ table: Table) -> Bool { table.schema == "partman" && table.name.hasPrefix("template_") }

    /// Without a spec or `--app-role`: the roles policies are aimed at, and non-owners with DML on RLS tables.
    public func inferredAppRoles() -> Set<String> {
        // A policy for a table's owner alone (tenantwall's `tw_owner_all`) names the role that runs migrations and
        // jobs, not the application.
        var roles = Set(policies.filter { !isOwnerPolicy($0) }.flatMap(\.roles).filter { $0 != "public" })
        for table in tables where table.rls {
            for grant in table.grants + table.columnGrants {
                let parts = grant.split(separator: ":")
                if parts.count == 2, parts[0] != "PUBLIC", String(parts[0]) != table.owner, ["SELECT", "INSERT", "UPDATE", "DELETE"].contains(String(parts[1])) {
                    roles.insert(String(parts[0]))
                }
            }
        }
        return roles
    }

    /// Who holds `privilege` on the table, at table level or on some of its columns.
    public func grantees(_ table: Table, privilege: String) -> [String] {
        uniqued((table.grants + table.columnGrants).compactMap { grant in
            let parts = grant.split(separator: ":")
            return parts.count == 2 && parts[1] == privilege ? String(parts[0]) : nil
        })
    }

    /// Whether a policy names only its table's owner (`roles.owner_access: all`): the owner can turn RLS off on
    /// its own table, so such a policy opens nothing to anyone else.
    public func isOwnerPolicy(_ policy: Policy) -> Bool {
        guard policy.roles.count == 1, let table = table(policy.table) else { return false }
        return policy.roles[0] == table.owner
    }

    public func policies(on table: Table) -> [Policy] { policiesByTable[table.qualified] ?? [] }

    /// Who uses the table today: every role holding a privilege on it, at table level or on some column, apart
    /// from its owner and superusers (whom no policy binds the same way), sorted; and the privileges PUBLIC
    /// itself holds, which make every role a user. On a database tenantwall did not write these grants are the
    /// only record of who reads a table, so a fix that narrows a policy names exactly these roles.
    public func privilegeHolders(_ table: Table) -> (roles: [String], publicPrivileges: [String]) {
        var roles: [String] = [], publicPrivileges: [String] = []
        for grant in table.grants + table.columnGrants {
            let parts = grant.split(separator: ":").map(String.init)
            guard parts.count == 2 else { continue }
            if parts[0] == "PUBLIC" { publicPrivileges.append(parts[1]); continue }
            guard parts[0] != table.owner, role(parts[0])?.superuser != true else { continue }
            roles.append(parts[0])
        }
        return (uniqued(roles).sorted(), uniqued(publicPrivileges))
    }

    /// Whether the owner of `table` reads its rows: without RLS, or RLS not forced, or a permissive policy that
    /// names PUBLIC, the owner, or a role the owner belongs to.
    public func ownerReadsRows(_ table: Table) -> Bool {
        guard table.rls && table.forced else { return true }
        let owner = role(table.owner)
        let ownRoles = Set([table.owner, "public"] + (owner?.memberOf ?? []))
        return policies(on: table).contains { $0.permissive && !ownRoles.isDisjoint(with: $0.roles) }
    }
}
