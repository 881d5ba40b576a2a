import Catalog
import PolicyGen
import Proof
import Quoting

/// What the access model needs to be told about both sides alike: which roles to model, the tenant column,
/// the tenant reader, the admin role and its gate, the schemas that are bookkeeping rather than data.
///
/// From the specs when the sides have them (the roles they name, `<helpers>.current_tenant_id()`,
/// `<helpers>.admin_mode_enabled` for the admin role, each table's scope column); otherwise inferred the way
/// `audit` infers them (the roles policies name and the non-owners granted DML on RLS tables), with
/// `--app-role`, `--tenant-column` and `--admin-role` to say it outright. Both sides get the same settings:
/// a role one side adds is modelled on the other too, where it reaches nothing (or does not exist).
public struct ReviewSettings: Sendable, Equatable {
    /// Roles to model, besides PUBLIC; empty: every role that is not a superuser and not `pg_*`.
    public var roles: [String] = []
    public var tenantColumn = "tenant_id"
    /// Per table (qualified), where the spec scopes it by another column.
    public var tenantColumns: [String: String] = [:]
    /// The reader as SQL, e.g. `"desk"."current_tenant_id"()`; nil when none is known.
    public var reader: String?
    public var adminRole: String?
    /// Gate function (qualified name) → the role whose members it can be true for.
    public var gates: [String: String] = [:]
    /// Schemas that hold no tenant data: the migration runner's history.
    public var skippedSchemas: [String] = ["tenantwall_migrations"]

    public init() {}

    /// Settings for a review of `base` and `head`: the specs' (both merged) when either has one, else
    /// inferred from both catalogs. Explicit flags win over both.
    public static func make(base: (spec: Spec?, catalog: DatabaseCatalog), head: (spec: Spec?, catalog: DatabaseCatalog),
                            appRoles: [String] = [], tenantColumn: String? = nil, adminRole: String? = nil) -> ReviewSettings {
        var settings = ReviewSettings()
        let specs = [head.spec, base.spec].compactMap { $0 }
        if specs.isEmpty {
            settings.infer(from: [head.catalog, base.catalog])
        } else {
            for spec in specs.reversed() { settings.read(spec) }
        }
        if !appRoles.isEmpty { settings.roles = uniqued(appRoles + (settings.adminRole.map { [$0] } ?? [])) }
        if let tenantColumn { settings.tenantColumn = tenantColumn }
        if let adminRole {
            settings.gates = settings.gates.mapValues { _ in adminRole }
            settings.adminRole = adminRole
        }
        return settings
    }

    /// A spec's roles, reader, gate and scope columns (the head's read last, so it wins where they differ).
    mutating func read(_ spec: Spec) {
        let helpers = spec.tenancy.helperSchema, r = spec.roles
        roles = uniqued(roles + r.accessRoles + r.adminMembers)
        tenantColumn = spec.tenancy.column
        reader = SQL.qualified(helpers, "current_tenant_id") + "()"
        if r.hasAdmin {
            adminRole = r.admin
            gates[helpers + ".admin_mode_enabled"] = r.admin
        }
        for table in spec.scopedTables where table.column != spec.tenancy.column {
            tenantColumns[table.table.qualifiedName] = table.column
        }
    }

    /// No spec: the roles `audit` would infer, a function called `current_tenant_id` as the reader, and a
    /// boolean function called `admin_mode_enabled` or `admin_mode` as the gate of a role named like an admin.
    mutating func infer(from catalogs: [DatabaseCatalog]) {
        var found: [String] = []
        for catalog in catalogs { found += catalog.inferredAppRoles().sorted() }
        roles = uniqued(found)
        let names = Set(catalogs.flatMap { $0.roles.map(\.name) })
        adminRole = roles.first { $0.contains("admin") } ?? (names.contains("admin") ? "admin" : nil)
        if let adminRole, !roles.contains(adminRole) { roles.append(adminRole) }
        let functions = catalogs.flatMap(\.functions).filter { !["pg_catalog", "information_schema"].contains($0.schema) }
        if let readerFunction = functions.first(where: { $0.name == "current_tenant_id" && $0.argumentTypes.isEmpty }) {
            reader = SQL.qualified(readerFunction.schema, readerFunction.name) + "()"
        }
        if let adminRole {
            for gate in functions where ["admin_mode_enabled", "admin_mode"].contains(gate.name) && gate.argumentTypes.isEmpty {
                gates[gate.qualified] = adminRole
            }
        }
    }

    /// The access model's options: these settings, PostgreSQL's and TimescaleDB's catalogs skipped too.
    public var accessOptions: AccessOptions {
        AccessOptions(gates: gates, tenantColumn: tenantColumn, tenantColumns: tenantColumns, reader: reader, adminRole: adminRole,
                      roles: roles.isEmpty ? nil : Set(roles), skippedSchemas: AccessOptions.catalogSchemas.union(skippedSchemas))
    }

    /// The tenant column of one table (qualified).
    public func tenantColumn(for table: String) -> String { tenantColumns[table] ?? tenantColumn }
}
