/// One existing table as a spec table: columns as `format_type` gives them (defaults only when a spec can say
/// them), primary key, grants as they are, existing indexes (reused by name), partitioning inferred from the
/// partitions' bounds, and the hypertable's dimensions. What a spec cannot carry is left out with a note; what
/// would change the database's meaning is a question.
struct TableInference {
    let table: ExistingDatabase.Table
    let isolation: Isolation
    let tenancy: Tenancy
    /// The tenants table's key, for `isolation: self`.
    let key: String?
    /// The roles the spec declares (app and read-only): their grants are written, others' are commented.
    let declaredRoles: Set<String>
    let app: String
    let today: String

    func draft() -> SpecDraft.TableDraft {
        var questions: [String] = [], notes: [String] = []
        var spec = Table(schema: table.schema, name: table.name, isolation: isolation, key: isolation == .self ? key : nil, reason: nil,
                         columns: [], primaryKey: table.primaryKey, grants: [], restrict: nil, indexes: [], hypertable: nil, partitioning: nil)
        var keptDefaults: [String] = []
        spec.columns = table.columns.map { column in
            let value = DefaultExpression.specDefault(column)
            if value == nil, !column.identity, let expression = column.defaultExpression { keptDefaults.append("\(column.name) \(expression)") }
            return Column(name: column.name, type: column.type, notNull: column.notNull, defaultValue: value)
        }
        for column in table.columns where TypeName.normalize(column.type) == nil {
            questions.append("column \(column.name) is \(column.type), a type a spec cannot name yet (check reports it): write a type it accepts, knowing the existing column stays as it is")
        }
        if !keptDefaults.isEmpty { notes.append("defaults the spec cannot say stay as they are: " + keptDefaults.joined(separator: "; ")) }

        if let other = table.column(tenancy.column), isolation != .tenant, isolation != .self {
            questions.append("its \(tenancy.column) is \(other.type), not \(tenancy.type.rawValue) like the other tables: so it is not isolated by tenant. Change the column's type?")
        }
        if isolation == .tenant, table.column(tenancy.column)?.notNull == false {
            questions.append("\(tenancy.column) may be NULL here: such rows belong to no tenant and no tenant will see them. SET NOT NULL?")
        }
        if isolation == .exempt {
            let writers = table.grants.filter { !Set($0.privileges).isDisjoint(with: RoleInference.writes) }.map(\.role)
            spec.reason = "no tenant column, and written by \(writers.joined(separator: ", ")) (a shared table is written only in admin mode)"
            questions.append("why may \(table.qualifiedName) go without RLS? Replace the reason with one a reviewer can check, or give it a tenant column")
        }

        grants(into: &spec, questions: &questions, notes: &notes)
        var undeclared: [(role: String, commands: [Command])] = []
        for grant in table.grants where !declaredRoles.contains(grant.role) && grant.role != "PUBLIC" && grant.role != table.owner {
            let commands = Self.commands(grant.privileges)
            if !commands.isEmpty { undeclared.append((grant.role, commands)) }
        }
        indexes(into: &spec, questions: &questions, notes: &notes)
        timeSeries(into: &spec, questions: &questions, notes: &notes)
        return SpecDraft.TableDraft(table: spec, undeclaredGrants: undeclared, questions: questions, notes: notes)
    }

    static func commands(_ privileges: [String]) -> [Command] {
        privileges.compactMap { Command(rawValue: $0.lowercased()) }.sorted()
    }

    /// The declared roles' grants as they are, less what the spec cannot grant on this kind of table (each a
    /// question). A table none of them may use gets an empty grant for the app, so that the spec's default
    /// grants do not add any.
    func grants(into spec: inout Table, questions: inout [String], notes: inout [String]) {
        for grant in table.grants where declaredRoles.contains(grant.role) {
            var commands = Self.commands(grant.privileges)
            let allowed: Set<Command>
            switch isolation {
            case .tenant, .exempt: allowed = Set(Command.allCases)
            case .self: allowed = [.select, .insert, .update]
            case .shared: allowed = [.select]
            }
            var refused = commands.filter { !allowed.contains($0) }
            if table.hypertable != nil && commands.contains(.delete) { refused.append(.delete) }
            if !refused.isEmpty {
                commands.removeAll { refused.contains($0) }
                let why = table.hypertable != nil && isolation != .self
                    ? "DELETE on a hypertable would reach every tenant's rows through a new chunk; old rows go with retention"
                    : "on a \(isolation == .self ? "tenants" : "shared") table only the admin role writes"
                questions.append("\(grant.role) holds \(refused.map(\.sql).joined(separator: ", ")) today, left out (\(why)): does the application need it?")
            }
            spec.grants.append((grant.role, commands))
            let ungoverned = grant.privileges.filter { Command(rawValue: $0.lowercased()) == nil }
            if !ungoverned.isEmpty { notes.append("\(grant.role) holds \(ungoverned.joined(separator: ", ")) today; tenantwall revokes it (RLS does not govern it)") }
        }
        if let publicGrant = table.grants.first(where: { $0.role == "PUBLIC" }) {
            notes.append("PUBLIC holds \(publicGrant.privileges.joined(separator: ", ")) today; tenantwall revokes it")
        }
        if spec.grants.isEmpty { spec.grants = [(app, [])] }
    }

    func indexes(into spec: inout Table, questions: inout [String], notes: inout [String]) {
        for index in table.indexes where !index.primary {
            guard index.method == "btree" else { notes.append("index \(index.name) (\(index.method)) stays as it is: a spec's indexes are btree"); continue }
            let columns = index.columns.compactMap { $0 }
            guard columns.count == index.columns.count else { notes.append("index \(index.name) indexes an expression: it stays as it is, outside the spec"); continue }
            if isolation == .tenant, index.unique, columns.first != tenancy.column {
                questions.append("unique index \(index.name) does not lead with \(tenancy.column): a global unique key bypasses RLS and tells one tenant that another's key exists. It stays as it is, outside the spec: rebuild it on (\(tenancy.column), \(columns.joined(separator: ", ")))?")
                continue
            }
            spec.indexes.append(Index(name: index.name, columns: zip(columns, index.descending).map { IndexColumn(name: $0, descending: $1) },
                                      include: index.include, unique: index.unique, predicate: index.predicate, location: nil))
        }
    }

    func timeSeries(into spec: inout Table, questions: inout [String], notes: inout [String]) {
        if let strategy = table.partitionStrategy {
            let column = table.partitionKey.count == 1 ? table.partitionKey[0] : nil
            let type = column.flatMap { table.column($0)?.type } ?? ""
            guard strategy == "r", let column, TypeName.isTime(type) else {
                let kind = ["r": "RANGE", "l": "LIST", "h": "HASH"][strategy] ?? strategy
                questions.append("partitioned by \(kind) (\(table.partitionKey.map { $0 ?? "an expression" }.joined(separator: ", "))): tenantwall partitions by a time range only, so the partitions stay as they are, outside the spec. Is that what you want?")
                return
            }
            guard let interval = PartitionBounds.interval(table.partitions) else {
                questions.append("partitioned by range on \(column), but its partitions do not span one interval: which interval should new partitions span? Add partitioning: {column: \(column), interval: …}")
                return
            }
            let ahead = PartitionBounds.ahead(table.partitions, today: today)
            let premake = table.partmanPremake ?? (ahead > 0 ? ahead : 3)
            spec.partitioning = Partitioning(column: column, interval: interval, premake: min(max(premake, 1), 120),
                                             manager: table.partmanPremake != nil ? .pg_partman : .native)
            let named = table.partitions.filter { PartitionBounds.range($0.bound) != nil }.map(\.name)
            if table.partmanPremake == nil, !named.isEmpty {
                notes.append("partitions made by hand: \(named.joined(separator: ", ")) (\(ahead) ahead of \(today))")
            }
        }
        if let h = table.hypertable {
            guard let seconds = h.chunkSeconds, let interval = PartitionBounds.duration(seconds: seconds) else {
                questions.append("a hypertable on \(h.timeColumn) with an integer or irregular chunk interval: tenantwall's hypertables are on a time column; it stays as it is, outside the spec")
                return
            }
            var hypertable = Hypertable(timeColumn: h.timeColumn, chunkInterval: interval)
            hypertable.retention = h.retentionSeconds.flatMap { PartitionBounds.duration(seconds: $0) }
            if let schema = h.chunkSchema, schema != "_timescaledb_internal" { hypertable.chunkSchema = schema } else {
                notes.append("its chunks live in _timescaledb_internal today; tenantwall creates new ones in \(hypertable.chunkSchema(tenancy: tenancy))")
            }
            if h.spaceColumn == tenancy.column { hypertable.spacePartitions = h.spacePartitions }
            spec.hypertable = hypertable
        }
    }
}
