/// A table whose rows belong to tenants, with the column that says which: a tenant table (the tenant column) or
/// the tenants table (its key). Code that reads or writes one tenant's rows takes this value rather than a
/// `Table`, so the scope column is never optional where it must exist.
public struct ScopedTable: Sendable {
    public let table: Table
    /// The column a tenant's rows are found by.
    public let column: String

    public var schema: String { table.schema }
    public var name: String { table.name }
    public var qualifiedName: String { table.qualifiedName }
}

extension Table {
    /// This table with its scope column; nil for shared and exempt tables, which no tenant owns rows of.
    public func scoped(tenancy: Tenancy) -> ScopedTable? {
        switch isolation {
        case .tenant: return ScopedTable(table: self, column: tenancy.column)
        case .self: return ScopedTable(table: self, column: key ?? "id")
        case .shared, .exempt: return nil
        }
    }

    /// The column that scopes rows to a tenant, if any.
    public func scopeColumn(tenancy: Tenancy) -> String? { scoped(tenancy: tenancy)?.column }
}

extension Spec {
    /// Tenant tables and the tenants table, with their scope columns, in spec order.
    public var scopedTables: [ScopedTable] { tables.compactMap { $0.scoped(tenancy: tenancy) } }

    /// The tenants table (`isolation: self`), keyed by its scope column.
    public var tenantsTable: ScopedTable? { scopedTables.first { $0.table.isolation == .self } }
}
