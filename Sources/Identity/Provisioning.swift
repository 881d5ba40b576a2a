import Foundation
import PolicyGen
import Postgres
import Quoting
import Tenantwall

/// Adds, lists and removes tenants: the row in the spec's tenants table (isolation `self`), and a record of
/// every change in `tenant_events`. Removing never deletes a tenant's data unless asked (Lifecycle's
/// `TenantErasure` asks, and reports how many rows it removed from each table).
public struct Provisioning {
    public struct Removal: Codable, Sendable {
        public var tenant: String
        public var deletedData: Bool
        /// Rows removed per table (empty without `deleteData`).
        public var rows: [String: Int]
    }

    let spec: Spec
    let connection: Connection

    public init(spec: Spec, connection: Connection) {
        self.spec = spec
        self.connection = connection
    }

    var events: String { SQL.qualified(spec.tenancy.helperSchema, "tenant_events") }

    /// The login role of a tenant in the `role` binding.
    public func tenantRole(_ id: String) -> String { spec.tenancy.tenantRolePrefix + id }

    func requireBypass() throws {
        guard try connection.bypassesRLS() else {
            throw ToolError("tenant provisioning writes across tenants: connect as a superuser or a BYPASSRLS role (the owner role, for example)")
        }
    }

    /// Inserts the tenant's row with the given column values (text, cast to each column's type); in the `role`
    /// binding, creates its login role as `login` says.
    public func add(id: String, values: [String: String], login: TenantLogin = TenantLogin()) throws {
        try requireBypass()
        let memberOf = try login.role(in: spec)
        guard let scoped = spec.tenantsTable else { throw ToolError("the spec has no tenants table (isolation: self)") }
        let table = scoped.table, key = scoped.column
        var columns = [key], parameters: [String?] = [id], casts = [spec.tenancy.type.rawValue]
        for (name, value) in values.sorted(by: { $0.key < $1.key }) {
            guard let column = table.column(name), name != key else { throw ToolError("\(table.qualifiedName) has no column '\(name)' to set") }
            columns.append(name); parameters.append(value); casts.append(TypeName.normalize(column.type) ?? column.type)
        }
        let missing = table.columns.filter { $0.notNull && $0.defaultValue == nil && !columns.contains($0.name) }.map(\.name)
        if !missing.isEmpty { throw ToolError("give a value for \(missing.joined(separator: ", ")) with --set column=value") }
        let placeholders = casts.enumerated().map { "$\($0.offset + 1)::\($0.element)" }.joined(separator: ", ")
        try connection.transaction {
            try connection.query("INSERT INTO \(SQL.qualified(table.schema, table.name)) (\(SQL.identList(columns))) VALUES (\(placeholders))", parameters)
            if spec.tenancy.binding == .role {
                let role = tenantRole(id)
                var create = "CREATE ROLE \(SQL.ident(role)) LOGIN NOBYPASSRLS"
                if let password = login.password {
                    create += " PASSWORD \(SQL.literal(try connection.encryptedPassword(password, user: role)))"
                }
                try connection.execute("\(create); GRANT \(SQL.ident(memberOf)) TO \(SQL.ident(role))")
                try connection.query("INSERT INTO \(SQL.qualified(spec.tenancy.helperSchema, "tenant_roles")) (role_name, tenant) VALUES ($1, $2::\(spec.tenancy.type.rawValue))", [role, id])
            }
            try connection.query("INSERT INTO \(events) (action, tenant, details) VALUES ('add', $1, $2::jsonb)", [id, json(values)])
        }
    }

    public func list() throws -> [[String: String?]] {
        guard let scoped = spec.tenantsTable else { throw ToolError("the spec has no tenants table (isolation: self)") }
        let table = scoped.table, key = scoped.column
        let sql = "SELECT \(table.columns.map { SQL.ident($0.name) + "::text" }.joined(separator: ", ")) FROM \(SQL.qualified(table.schema, table.name)) ORDER BY \(SQL.ident(key))"
        let result = try connection.query(sql)
        return result.rows.map { row in Dictionary(uniqueKeysWithValues: zip(table.columns.map(\.name), row)) }
    }

    /// Records the removal; with `deleting`, deletes the tenant's rows in the same transaction first (erasure
    /// passes it: every table a tenant's rows live in, foreign keys followed; it returns the rows per table).
    /// `rollBack` runs it all and rolls back: a dry run whose counts are real and that changes nothing.
    public func remove(id: String, rollBack: Bool = false, deleting: (() throws -> [String: Int])? = nil) throws -> Removal {
        try requireBypass()
        var rows: [String: Int] = [:]
        let body = {
            // A tenant that is nowhere is an error, not a removal: nothing deleted, no event written.
            guard try exists(id) else {
                throw ToolError("tenant \(id) does not exist: no row in the tenants table, no rows of it in any tenant table\(spec.tenancy.binding == .role ? ", no tenant role" : ""); nothing was changed")
            }
            if let deleting { rows = try deleting() }
            if spec.tenancy.binding == .role {
                try connection.query("DELETE FROM \(SQL.qualified(spec.tenancy.helperSchema, "tenant_roles")) WHERE role_name = $1", [tenantRole(id)])
                try connection.execute("DROP ROLE IF EXISTS \(SQL.ident(tenantRole(id)))")
            }
            try connection.query("INSERT INTO \(events) (action, tenant, details) VALUES ($1, $2, $3::jsonb)",
                                 [deleting != nil ? "remove-with-data" : "remove", id, json(rows.mapValues(String.init))])
        }
        if rollBack { try connection.rolledBack(body) } else { try connection.transaction(body) }
        return Removal(tenant: id, deletedData: deleting != nil, rows: rows)
    }

    /// Whether the tenant is known anywhere: its tenants-table row, rows in a tenant table, or its tenant role.
    func exists(_ id: String) throws -> Bool {
        let type = spec.tenancy.type.rawValue
        for scoped in spec.scopedTables {
            let sql = "SELECT EXISTS (SELECT 1 FROM \(SQL.qualified(scoped.schema, scoped.name)) WHERE \(SQL.ident(scoped.column)) = $1::\(type))::text"
            if try connection.query(sql, [id]).scalar == "true" {
                return true
            }
        }
        if spec.tenancy.binding == .role {
            return try connection.query("SELECT EXISTS (SELECT 1 FROM \(SQL.qualified(spec.tenancy.helperSchema, "tenant_roles")) WHERE role_name = $1)::text", [tenantRole(id)]).scalar == "true"
        }
        return false
    }

    func json(_ values: [String: String]) -> String {
        (try? JSONSerialization.data(withJSONObject: values, options: [.sortedKeys])).flatMap { String(data: $0, encoding: .utf8) } ?? "{}"
    }
}
