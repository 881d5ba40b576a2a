/// What a live database holds, as plain values: the one catalog model that audit rules, plan (through
/// `CatalogSnapshot`) and verify read. `CatalogReader` fills it with the set-based queries of `CatalogQueries`
/// (no query per table) in one read-only, repeatable-read transaction, so every reader sees one consistent
/// catalog and auditing 500 tables stays well under a second.
///
/// Texts the server renders (ACLs, index, view and function definitions, column types) are kept as the server
/// prints them: plan compares them verbatim, and a hand edit shows up however it was written.
public struct DatabaseCatalog: Sendable {
    public var tables: [Table] = [] {
        didSet {
            tablesByName = Dictionary(tables.map { ($0.qualified, $0) }, uniquingKeysWith: { a, _ in a })
            childrenByParent = Dictionary(grouping: tables.flatMap { t in t.parents.map { ($0, t) } }, by: \.0).mapValues { $0.map(\.1) }
        }
    }
    public var policies: [Policy] = [] { didSet { policiesByTable = Dictionary(grouping: policies, by: \.table) } }
    /// Lookups built once when the lists are set: rules ask per table, over catalogs of thousands of policies.
    private(set) var tablesByName: [String: Table] = [:]
    private(set) var policiesByTable: [String: [Policy]] = [:]
    private(set) var childrenByParent: [String: [Table]] = [:]
    public var roles: [Role] = []
    public var functions: [Function] = [] { didSet { functionsByName = Dictionary(grouping: functions, by: \.name) } }
    public private(set) var functionsByName: [String: [Function]] = [:]
    public var dependencies: [Dependency] = []
    public var triggers: [Trigger] = []
    public var indexes: [IndexInfo] = []
    public var foreignKeys: [ForeignKey] = []
    public var defaultPrivileges: [DefaultPrivilege] = []
    /// Every schema outside PostgreSQL's own, with its owner and ACL.
    public var schemas: [Schema] = []
    /// Event triggers (tenantwall's `tenantwall_secure_partitions` secures new partitions).
    public var eventTriggers: [EventTrigger] = []
    /// Installed extensions, each with the schema it was installed in.
    public var extensions: [String: String] = [:]
    /// TimescaleDB hypertables, qualified (empty without TimescaleDB).
    public var hypertables: Set<String> = []
    /// TimescaleDB: each continuous aggregate's view, qualified, and the hypertable it aggregates.
    public var continuousAggregates: [String: String] = [:]
    /// TimescaleDB: hypertables with compression (columnstore) enabled, qualified; they cannot carry RLS.
    public var compressedHypertables: Set<String> = []
    /// TimescaleDB: each hypertable's and continuous aggregate's settings (compression, `materialized_only`) and
    /// policies (`job <proc> owner= every= config=`), one line each, by relation, qualified: what plan compares.
    public var timescaleSettings: [String: [String]] = [:]
    /// Citus distributed tables (hash-distributed), qualified (empty without Citus).
    public var distributed: Set<String> = []
    /// Settings each role carries (`ALTER ROLE … SET`), as `name=value` (read with Citus only).
    public var roleSettings: [String: [String]] = [:]

    public init() {}

    /// A TimescaleDB chunk: a child of a hypertable. TimescaleDB refuses FORCE ROW LEVEL SECURITY on chunks.
    public func isChunk(_ table: Table) -> Bool { table.parent.map(hypertables.contains) ?? false }
    /// Whether TimescaleDB refuses row-level security on the table: a compressed hypertable, one under a
    /// continuous aggregate, or an aggregate's materialization hypertable.
    public func refusesRowSecurity(_ qualified: String) -> Bool {
        compressedHypertables.contains(qualified) || continuousAggregates.values.contains(qualified)
            || (hypertables.contains(qualified) && qualified.hasPrefix("_timescaledb_internal._materialized_hypertable_"))
    }

    public func table(_ qualified: String) -> Table? { tablesByName[qualified] }
    public func role(_ name: String) -> Role? { roles.first { $0.name == name } }
    public func schema(_ name: String) -> Schema? { schemas.first { $0.name == name } }
    /// Partitions and inheritance children (TimescaleDB chunks among them) of a table, qualified.
    public func children(of qualified: String) -> [Table] { childrenByParent[qualified] ?? [] }
    public func indexes(on qualified: String) -> [IndexInfo] { indexes.filter { $0.table == qualified } }

    /// Tables whose rows belong to tenants: they have the tenant column or row-level security, and are not
    /// partitions (partitions are judged through their parent).
    public func protectedTables(tenantColumn: String) -> [Table] {
        tables.filter { ["r", "p"].contains($0.kind) && $0.parent == nil && ($0.columns.contains(tenantColumn) || $0.rls) && !isPartmanTemplate($0) }
    }

    /// pg_partman's template tables copy the parent's columns but hold no rows and are granted to nobody.
    func isPartmanTemplate(_ table: Table) -> Bool { table.schema == "partman" && table.name.hasPrefix("template_") }

    /// Without a spec or `--app-role`: the roles policies are aimed at, and non-owners with DML on RLS tables.
    /// Never a superuser: it bypasses every policy whatever a policy names (`TO postgres`), and it is not the
    /// application.
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
        return roles.filter { role($0)?.superuser != true }
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

/// The names in order, without empties and repeats (PolicyGen's, which this module cannot import).
func uniqued(_ names: [String]) -> [String] {
    var seen: Set<String> = []
    return names.filter { !$0.isEmpty && seen.insert($0).inserted }
}
