import Catalog
import Quoting

/// Every table that holds a tenant's rows, and how each row is known to be the tenant's: what `tenant export`
/// reads and what erasure must cover.
///
/// A tenant's rows are not only those with a tenant column. A team's `order_lines` often has no `tenant_id` at
/// all and belongs to the tenant through `order_id → orders.id`; a `comments` table through `ticket_id`. The
/// plan starts from the spec's tenant tables and the tenants table, then follows foreign keys that point INTO
/// the set, again and again, so such tables are found wherever the chain goes. A row of a reached table is the
/// tenant's when a row it references through one of those keys is the tenant's (an `EXISTS` per key, ORed).
///
/// The order puts every referenced table before the tables that reference it: an export reads in this order,
/// an erasure deletes in the reverse one.
public struct TenantDataPlan: Sendable, Equatable {
    /// How a table's rows are known to be the tenant's.
    public enum Reach: Sendable, Equatable {
        /// The table's own column holds the tenant (a tenant table's tenant column, the tenants table's key).
        case column(String)
        /// Through foreign keys to tables already in the plan: a row is the tenant's when any of them points at a
        /// row of the tenant's.
        case foreignKeys([Link])
    }

    /// One foreign key the plan follows: `columns` of the reached table reference `parentColumns` of `parent`.
    public struct Link: Sendable, Equatable {
        public var constraint: String
        public var columns: [String]
        public var parent: String
        public var parentColumns: [String]
    }

    public struct Entry: Sendable, Equatable {
        /// The name the application reads (a walled hypertable's walled view).
        public var schema: String
        public var name: String
        public var reach: Reach
        /// Where the rows live, for what the owner reads or deletes: a walled hypertable's storage in the walled
        /// schema (its view shows nothing to a session without a tenant), else the table itself.
        public var storageSchema: String
        public var storageName: String
        public var qualified: String { schema + "." + name }
        public var storage: String { storageSchema + "." + storageName }

        public init(schema: String, name: String, reach: Reach, storage: (schema: String, name: String)? = nil) {
            self.schema = schema
            self.name = name
            self.reach = reach
            storageSchema = storage?.schema ?? schema
            storageName = storage?.name ?? name
        }

        /// The relation a statement names: the table, or as the owner its storage.
        func relation(owner: Bool) -> String { owner ? SQL.qualified(storageSchema, storageName) : SQL.qualified(schema, name) }
    }

    /// Parents before children.
    public var entries: [Entry]

    /// The plan for a spec on a database: the spec's scoped tables, then every table whose foreign keys reach
    /// them. Partitions are left to their partitioned parent (a query on the parent reads them), and views are
    /// never reached (a foreign key cannot start from one).
    public init(spec: Spec, catalog: DatabaseCatalog) {
        var entries: [String: Entry] = [:]
        for scoped in spec.scopedTables {
            entries[scoped.qualifiedName] = Entry(schema: scoped.schema, name: scoped.name, reach: .column(scoped.column), storage: scoped.table.storage(tenancy: spec.tenancy))
        }
        // Foreign keys name the relation that holds the rows: a walled hypertable's storage.
        var byStorage = Dictionary(entries.values.map { ($0.storage, $0.qualified) }, uniquingKeysWith: { first, _ in first })
        let tables = Dictionary(catalog.tables.map { ($0.qualified, $0) }, uniquingKeysWith: { first, _ in first })
        let excluded = Set(spec.tables.filter { $0.isolation == .shared || $0.isolation == .exempt }.map(\.qualifiedName))
        // Follow keys into the set until nothing new is reached.
        var grew = true
        while grew {
            grew = false
            var links: [String: [Link]] = [:]
            for key in catalog.foreignKeys where byStorage[key.table] == nil && !excluded.contains(key.table) {
                guard let parent = byStorage[key.references], let table = tables[key.table], ["r", "p"].contains(table.kind), !table.isPartition else { continue }
                links[key.table, default: []].append(Link(constraint: key.name, columns: key.columns, parent: parent, parentColumns: key.referencedColumns))
            }
            for (name, found) in links {
                let table = tables[name]!
                entries[name] = Entry(schema: table.schema, name: table.name, reach: .foreignKeys(found.sorted { $0.constraint < $1.constraint }))
                byStorage[name] = name
                grew = true
            }
        }
        // The tenants table leads: tenant tables point at it whether or not a foreign key says so.
        let first = spec.tenantsTable?.qualifiedName
        self.entries = Self.ordered(Array(entries.values), foreignKeys: catalog.foreignKeys, first: first)
    }

    public init(entries: [Entry]) { self.entries = entries }

    /// Referenced tables first (Kahn's algorithm over the foreign keys among the entries), ties by name after
    /// `first`; a cycle's tables follow in name order.
    static func ordered(_ entries: [Entry], foreignKeys: [DatabaseCatalog.ForeignKey], first: String? = nil) -> [Entry] {
        let names = Dictionary(entries.map { ($0.storage, $0.qualified) }, uniquingKeysWith: { first, _ in first })
        var parents: [String: Set<String>] = [:]
        for key in foreignKeys where key.table != key.references {
            guard let child = names[key.table], let parent = names[key.references] else { continue }
            parents[child, default: []].insert(parent)
        }
        var remaining = entries.sorted { ($0.qualified == first ? 0 : 1, $0.qualified) < ($1.qualified == first ? 0 : 1, $1.qualified) }
        var placed: Set<String> = [], result: [Entry] = []
        while !remaining.isEmpty {
            let index = remaining.firstIndex { parents[$0.qualified, default: []].isSubset(of: placed) } ?? 0
            let entry = remaining.remove(at: index)
            placed.insert(entry.qualified)
            result.append(entry)
        }
        return result
    }

    /// The condition that a row (`alias`) of `entry` is the tenant's, `tenant` being the tenant id as a quoted and
    /// cast literal. Reached tables nest an `EXISTS` per link down to a tenant column, so the condition never
    /// rests on what a policy happens to admit (a parent a wall shows to everyone does not bring its children).
    /// `owner`: the statement runs as the owner and names where rows live (walled storage).
    public func condition(_ entry: Entry, alias: String, tenant: String, owner: Bool = false, depth: Int = 0) -> String {
        switch entry.reach {
        case .column(let column):
            return "\(SQL.ident(alias)).\(SQL.ident(column)) = \(tenant)"
        case .foreignKeys(let links):
            let parts = links.compactMap { link -> String? in
                guard let parent = entries.first(where: { $0.qualified == link.parent }) else { return nil }
                let inner = "p\(depth + 1)"
                let join = zip(link.columns, link.parentColumns).map { "\(SQL.ident(inner)).\(SQL.ident($0.1)) = \(SQL.ident(alias)).\(SQL.ident($0.0))" }
                let nested = condition(parent, alias: inner, tenant: tenant, owner: owner, depth: depth + 1)
                return "EXISTS (SELECT 1 FROM \(parent.relation(owner: owner)) AS \(SQL.ident(inner)) WHERE \((join + [nested]).joined(separator: " AND ")))"
            }
            return parts.isEmpty ? "false" : parts.count == 1 ? parts[0] : "(" + parts.joined(separator: " OR ") + ")"
        }
    }

    /// `SELECT * FROM <table> AS t WHERE <the tenant's rows>`.
    public func select(_ entry: Entry, tenant: String, owner: Bool = false) -> String {
        "SELECT * FROM \(entry.relation(owner: owner)) AS t WHERE \(condition(entry, alias: "t", tenant: tenant, owner: owner))"
    }

    /// `DELETE FROM <where the rows live> AS t WHERE <the tenant's rows>`, as the owner.
    public func delete(_ entry: Entry, tenant: String) -> String {
        "DELETE FROM \(entry.relation(owner: true)) AS t WHERE \(condition(entry, alias: "t", tenant: tenant, owner: true))"
    }
}
