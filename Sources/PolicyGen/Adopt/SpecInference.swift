/// Turns an existing database into the spec that describes it as it is (`tenantwall init`): the tenant
/// column and setting, tables by isolation, roles, grants as they are, existing indexes (so tenantwall reuses
/// them rather than building its own), partitioning and hypertables, and the application's own setters.
/// Pure: what it cannot decide becomes a question in the draft, never a guess.
public enum SpecInference {
    public struct Options: Sendable {
        /// `--tenant-column`: skip the detection.
        public var tenantColumn: String?
        public var helperSchema = "tenantwall"

        public init(tenantColumn: String? = nil) { self.tenantColumn = tenantColumn }
    }

    public static func infer(_ database: ExistingDatabase, options: Options = Options()) throws -> SpecDraft {
        guard !database.tables.isEmpty else { throw AdoptionError("no tables found in the schemas read (extension, system and tenantwall schemas are left out)") }
        let choice = try TenantColumnDetection.choose(database, given: options.tenantColumn)
        let column = choice.column
        var tenancy = Tenancy()
        tenancy.column = column
        tenancy.helperSchema = options.helperSchema
        tenancy.helpers = .inline
        tenancy.scope = .transaction
        var tenancyQuestions = choice.questions

        let types = database.tables.compactMap { $0.column(column)?.type }
        let typeCounts = Dictionary(grouping: types, by: { $0 }).mapValues(\.count)
        let columnType = typeCounts.keys.sorted().max { typeCounts[$0]! < typeCounts[$1]! } ?? "uuid"
        guard let tenantType = tenantType(columnType) else {
            throw AdoptionError("the tenant column '\(column)' is \(columnType); tenantwall supports uuid, bigint, integer and text tenant ids")
        }
        tenancy.type = tenantType

        // Tables by isolation: holding the tenant column (of the tenant type), the tenants table, the rest.
        let tenantsTable = choice.tenantsTable
        let tenantTables = Set(database.tables.filter { $0.qualifiedName != tenantsTable && $0.column(column).map { Self.tenantType($0.type) == tenantType } == true }.map(\.qualifiedName))
        var scopeColumns = Dictionary(uniqueKeysWithValues: tenantTables.map { ($0, column) })
        if let tenantsTable, let key = choice.key { scopeColumns[tenantsTable] = key }

        let settings = SettingDetection.detect(database, scopeColumns: scopeColumns, tenantType: tenantType)
        if let setting = settings.setting { tenancy.setting = setting } else {
            tenancyQuestions.append("no policy or setter names the setting that carries the tenant: is it \(tenancy.setting)? (tenantwall's setter and readers use tenancy.setting)")
        }

        let roles = RoleInference.infer(database, tenantTables: tenantTables)
        var specRoles = Roles()
        specRoles.owner = roles.owner
        specRoles.app = roles.app
        specRoles.readonly = roles.readonly
        // Roles that all exist need no creating: `create: false` keeps a later typo from creating a new role.
        specRoles.create = !([roles.owner, roles.app] + roles.readonly).allSatisfy { database.role($0) != nil }
        let declared = Set([roles.app] + roles.readonly)

        // The tenants table first, then tenant, shared and exempt tables, each by name: the order a reader expects.
        let rank: [Isolation: Int] = [.self: 0, .tenant: 1, .shared: 2, .exempt: 3]
        let tables = database.tables.map { table -> SpecDraft.TableDraft in
            let isolation: Isolation
            if table.qualifiedName == tenantsTable { isolation = .self }
            else if tenantTables.contains(table.qualifiedName) { isolation = .tenant }
            else if table.grants.contains(where: { $0.role != roles.owner && !Set($0.privileges).isDisjoint(with: RoleInference.writes) }) { isolation = .exempt }
            else { isolation = .shared }
            return TableInference(table: table, isolation: isolation, tenancy: tenancy, key: choice.key, declaredRoles: declared, app: roles.app,
                                  today: database.today).draft()
        }.sorted { (rank[$0.table.isolation]!, $0.table.qualifiedName) < (rank[$1.table.isolation]!, $1.table.qualifiedName) }
        let owned = Set(tenantTables).union(tenantsTable.map { [$0] } ?? [])
        let ownerReaders = OwnerReaders.find(database, owner: roles.owner, tenantTables: owned)
        specRoles.ownerAccess = ownerReaders.isEmpty ? .none : .all
        return SpecDraft(tenancy: tenancy, roles: specRoles, adminCandidate: roles.adminCandidate, ownerReaders: ownerReaders, tables: tables,
                         legacyFunctions: LegacySetters.find(database, tenantSetting: tenancy.setting, readByPolicies: settings.readByPolicies),
                         tenancyQuestions: tenancyQuestions, roleQuestions: roles.questions)
    }

    /// The tenant type of a column type as `format_type` gives it.
    static func tenantType(_ type: String) -> TenantType? {
        switch type {
        case "uuid": return .uuid
        case "bigint": return .bigint
        case "integer": return .integer
        case "text": return .text
        case _ where type.hasPrefix("character varying"): return .text
        default: return nil
        }
    }
}
