import Catalog

/// Every modeled role × relation × command of one database: the privilege held and the rows it reaches.
///
/// Built from a `DatabaseCatalog` alone, so review compares two states and prove checks one without a server.
/// Roles: every role that is neither a superuser (nothing binds it) nor `pg_*`, plus `PUBLIC` (any role, one
/// created tomorrow too). Relations: tables, partitions, chunks, views, materialized views and foreign tables
/// outside the skipped schemas.
///
/// Not modelled (each may hide a difference review then does not report):
/// - what a view over another view reaches (only tables are followed through `pg_depend`), and a view's query
///   beyond a simple `WHERE` (joins, grouping: compared by text, `unknown` when changed);
/// - UPDATE and DELETE also applying SELECT policies when they read rows (WHERE, RETURNING): the model keeps
///   their own policies alone, the most such a command reaches (`UPDATE t SET …` with no WHERE reads nothing);
/// - `INSERT … ON CONFLICT`, COPY, unique-key and foreign-key existence probes beyond REFERENCES;
/// - SECURITY DEFINER functions and triggers that read tables with their owner's rights, and the RLS of tables a
///   policy's sub-select reads (the solver keeps such a sub-select as an opaque value);
/// - NOINHERIT (a member can still SET ROLE) and an owner's revoked own privileges (it can grant them back);
/// - a role's defaults (`ALTER ROLE … SET`), privileges on schemas other than USAGE, sequences and EXECUTE;
/// - roles outside `AccessOptions.roles` (when it is set) that are not members of one of them.
///
/// Usage:
/// ```swift
/// let model = AccessModel(catalog: catalog, options: AccessOptions(reader: "desk.current_tenant_id()"))
/// model.entry(role: "app_user", object: "public.orders", command: .select)?.reach
/// ```
public struct AccessModel: Sendable {
    public let options: AccessOptions
    /// Every entry, by object, role and command order.
    public let entries: [AccessEntry]
    /// The modeled roles, sorted, `PUBLIC` first.
    public let roles: [String]
    /// The modeled relations, qualified, sorted.
    public let objects: [String]
    private let index: [AccessEntry.Key: Int]

    public init(catalog: DatabaseCatalog, options: AccessOptions = AccessOptions()) {
        self.options = options
        let roles = Self.modeledRoles(catalog, options)
        let relations = catalog.tables.filter { ["r", "p", "v", "m", "f"].contains($0.kind) && !options.skippedSchemas.contains($0.schema) }
            .sorted { $0.qualified < $1.qualified }
        let facts = roles.map { RoleFacts($0, in: catalog) }
        var entries: [AccessEntry] = []
        for table in relations {
            // A view's reach is the same for every role: read its query once.
            let view = table.kind == "v" ? Self.viewReach(table, in: catalog) : nil
            for role in facts {
                for command in AccessCommand.allCases {
                    let privilege = Self.privilege(of: role, on: table, for: command)
                    let reach = Self.reach(of: role, on: table, for: command, privilege: privilege, view: view, in: catalog)
                    entries.append(AccessEntry(role: role.name, object: table.qualified, command: command, privilege: privilege, reach: reach))
                }
            }
        }
        self.entries = entries
        self.roles = roles
        self.objects = relations.map(\.qualified)
        self.index = Dictionary(entries.enumerated().map { ($1.key, $0) }, uniquingKeysWith: { a, _ in a })
    }

    public func entry(role: String, object: String, command: AccessCommand) -> AccessEntry? {
        index[AccessEntry.Key(role: role, object: object, command: command)].map { entries[$0] }
    }

    /// PUBLIC, then every role that is neither a superuser nor `pg_*`, sorted. When the options name the access
    /// roles: those, and every role that can SET ROLE to one of them (it reaches all they reach, and more).
    static func modeledRoles(_ catalog: DatabaseCatalog, _ options: AccessOptions) -> [String] {
        let all = catalog.roles.filter { !$0.superuser && !$0.name.hasPrefix("pg_") }
        let chosen = options.roles.map { wanted in all.filter { wanted.contains($0.name) || !wanted.isDisjoint(with: $0.memberOf) } } ?? all
        return [RoleFacts.publicName] + Set(chosen.map(\.name)).sorted()
    }
}
