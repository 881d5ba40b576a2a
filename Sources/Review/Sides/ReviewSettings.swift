import Catalog
import PolicyGen
import Proof
import Quoting

/// What the access model needs to be told about both sides alike: the tenant column, the tenant reader, the
/// admin role and its gate, the schemas that are bookkeeping rather than data, and (only when `--app-role`
/// says so) which roles to model.
///
/// Every role that is neither a superuser nor `pg_*` is modelled by default, spec or not: a migration that
/// grants to a role the spec does not name, or removes FORCE for the owner, is a change review must see. The
/// rest comes from the specs when the sides have them (`<helpers>.current_tenant_id()`,
/// `<helpers>.admin_mode_enabled` for the admin role, each table's scope column); otherwise it is inferred the
/// way `audit` infers the application's roles (the roles policies name and the non-owners granted DML on RLS
/// tables: one named like an admin is the admin role; no gate is taken on trust), with `--tenant-column` and
/// `--admin-role` to say it outright. Both sides get the same settings.
public struct ReviewSettings: Sendable, Equatable {
    /// Roles to model, besides PUBLIC (`--app-role`, with the admin role); empty: every role that is neither a
    /// superuser nor `pg_*`.
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

    /// A spec's reader, gate and scope columns (the head's read last, so it wins where they differ).
    mutating func read(_ spec: Spec) {
        let helpers = spec.tenancy.helperSchema, r = spec.roles
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

    /// No spec: the admin role among those `audit` would infer, and a function called `current_tenant_id` as
    /// the reader. No gate: a hand-written gate (`admin_mode_on()`, say) is read by the solver from its body, so
    /// a body that stops checking membership is a widening rather than a gate taken on trust.
    mutating func infer(from catalogs: [DatabaseCatalog]) {
        var found: [String] = []
        for catalog in catalogs { found += catalog.inferredAppRoles().sorted() }
        let names = Set(catalogs.flatMap { $0.roles.map(\.name) })
        adminRole = uniqued(found).first { $0.contains("admin") } ?? (names.contains("admin") ? "admin" : nil)
        let functions = catalogs.flatMap(\.functions).filter { !["pg_catalog", "information_schema"].contains($0.schema) }
        if let readerFunction = functions.first(where: { $0.name == "current_tenant_id" && $0.argumentTypes.isEmpty }) {
            reader = SQL.qualified(readerFunction.schema, readerFunction.name) + "()"
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
