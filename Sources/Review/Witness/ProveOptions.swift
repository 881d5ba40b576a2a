import Catalog
import PolicyGen
import Proof
import Quoting

/// What prove tells the access model: from the spec when there is one (its access roles and admin members,
/// `<helpers>.current_tenant_id()` as the reader, `<helpers>.admin_mode_enabled` as the admin role's gate (on
/// Citus also being the admin role, `CURRENT_USER = '<admin>'`, which is how its policies open), each
/// table's scope column), otherwise inferred from the catalog the way audit infers the application's roles.
///
/// The same reading as review's, so that a state review calls `added` is one prove holds.
enum ProveOptions {
    /// The schemas that hold tenantwall's and the migration runner's bookkeeping, not tenant data.
    static let bookkeeping: Set<String> = ["tenantwall_migrations"]

    static func make(spec: Spec?, catalog: DatabaseCatalog, tenantColumn: String? = nil, appRoles: [String] = []) -> AccessOptions {
        var options = AccessOptions()
        options.skippedSchemas.formUnion(bookkeeping)
        if let spec {
            let helpers = spec.tenancy.helperSchema, roles = spec.roles
            options.roles = Set(roles.accessRoles + roles.adminMembers)
            options.tenantColumn = spec.tenancy.column
            options.reader = SQL.qualified(helpers, "current_tenant_id") + "()"
            if roles.hasAdmin {
                options.adminRole = roles.admin
                options.gates[helpers + ".admin_mode_enabled"] = roles.admin
                // On Citus the generated admin policies read `CURRENT_USER = '<admin>'` (PolicyStatements): the
                // gate is having taken on the admin role, which only its members can.
                if spec.tenancy.citus { options.gateConditions.append("CURRENT_USER = " + SQL.literal(roles.admin)) }
            }
            for table in spec.scopedTables where table.column != spec.tenancy.column {
                options.tenantColumns[table.table.qualifiedName] = table.column
            }
            options.skippedSchemas.insert(helpers)
        } else {
            infer(&options, catalog)
        }
        if let tenantColumn { options.tenantColumn = tenantColumn }
        if !appRoles.isEmpty { options.roles = Set(appRoles + (options.adminRole.map { [$0] } ?? [])) }
        return options
    }

    /// No spec: the roles audit would infer, a `current_tenant_id()` as the reader, and a boolean
    /// `admin_mode_enabled()` or `admin_mode()` as the gate of a role named like an admin.
    static func infer(_ options: inout AccessOptions, _ catalog: DatabaseCatalog) {
        var roles = catalog.inferredAppRoles()
        let names = Set(catalog.roles.map(\.name))
        let admin = roles.sorted().first { $0.contains("admin") } ?? (names.contains("admin") ? "admin" : nil)
        if let admin { roles.insert(admin) }
        options.roles = roles.isEmpty ? nil : roles
        options.adminRole = admin
        let functions = catalog.functions.filter { !["pg_catalog", "information_schema"].contains($0.schema) }
        if let reader = functions.first(where: { $0.name == "current_tenant_id" && $0.argumentTypes.isEmpty }) {
            options.reader = SQL.qualified(reader.schema, reader.name) + "()"
        }
        if let admin {
            for gate in functions where ["admin_mode_enabled", "admin_mode"].contains(gate.name) && gate.argumentTypes.isEmpty {
                options.gates[gate.qualified] = admin
            }
        }
    }
}
