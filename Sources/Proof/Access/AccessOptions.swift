/// What the access model cannot read from the catalog: which column holds the tenant, how a session names its
/// tenant, which functions open the admin gate and for whom, and which roles and schemas matter.
///
/// Review and prove fill these from the spec (or infer them the way audit does); tests set them by hand.
public struct AccessOptions: Sendable {
    /// Gate functions, qualified (`desk.admin_mode_enabled`), each with the role whose members alone can open it.
    public var gates: [String: String]
    /// Gate conditions that are not functions, as SQL the solver reads (`CURRENT_USER = 'wf_admin'`): on Citus a
    /// policy cannot hold a sub-select, and the admin's gate is being the admin role. The wall ORs them in like
    /// the gate functions, and "no context" assumes them shut.
    public var gateConditions: [String] = []
    /// The tenant column, unless `tenantColumns` names another for a table.
    public var tenantColumn: String
    /// Per-table tenant columns, by qualified table name.
    public var tenantColumns: [String: String]
    /// The SQL expression that yields the session's tenant (`"desk"."current_tenant_id"()`): the right side of the
    /// wall `"tenant_id" = <reader>`. Without it prove cannot state the wall and answers `unknown`.
    public var reader: String?
    /// The role that administers every tenant through the gates: the wall for it (and its members) includes
    /// them; for anyone else a gate is false.
    public var adminRole: String?
    /// The access roles to model besides PUBLIC (with every role that can SET ROLE to one of them); nil: every
    /// role that is neither a superuser nor `pg_*`. Naming a role here also makes prove hold it to the wall on
    /// the tables it owns.
    public var roles: Set<String>?
    /// Schemas whose relations are left out: PostgreSQL's and TimescaleDB's catalogs, and whatever bookkeeping the
    /// caller adds (tenantwall's own schema, say).
    public var skippedSchemas: Set<String>

    public static let catalogSchemas: Set<String> = ["pg_catalog", "information_schema", "_timescaledb_catalog", "_timescaledb_config"]

    public init(gates: [String: String] = [:], tenantColumn: String = "tenant_id", tenantColumns: [String: String] = [:],
                reader: String? = nil, adminRole: String? = nil, roles: Set<String>? = nil,
                skippedSchemas: Set<String> = AccessOptions.catalogSchemas) {
        self.gates = gates
        self.tenantColumn = tenantColumn
        self.tenantColumns = tenantColumns
        self.reader = reader
        self.adminRole = adminRole
        self.roles = roles
        self.skippedSchemas = skippedSchemas
    }

    /// The tenant column of a table, qualified name in.
    public func tenantColumn(for table: String) -> String { tenantColumns[table] ?? tenantColumn }

    /// The gates as the solver's sides take them: each gate's role, the admin role where a gate names none.
    var sideGates: [String: String] {
        gates.mapValues { $0.isEmpty ? (adminRole ?? "") : $0 }
    }
}
