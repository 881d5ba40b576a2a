/// Semantic checks on a loaded spec: the things YAML cannot express, each reported at its line.
public enum SpecValidator {
    /// PostgreSQL's NAMEDATALEN - 1: longer names are silently truncated by the server, so they are refused.
    public static let maxIdentifierBytes = 63
    static let intervalUnits = ["second", "minute", "hour", "day", "week", "month", "year"]

    public static func validate(_ spec: Spec) -> [Diagnostic] {
        var out: [Diagnostic] = []
        let t = spec.tenancy, r = spec.roles
        let start = SourceLocation(file: spec.files.first ?? "spec", line: 1, column: 1)
        let tenancyAt = t.location ?? start
        func error(_ message: String, _ at: SourceLocation?) { out.append(Diagnostic(.error, message, at: at ?? start)) }
        func identifier(_ name: String, _ what: String, _ at: SourceLocation?) {
            if name.isEmpty { error("\(what) must not be empty", at) }
            else if name.utf8.count > maxIdentifierBytes {
                error("\(what) '\(name)' is \(name.utf8.count) bytes; PostgreSQL truncates names over \(maxIdentifierBytes) bytes", at)
            }
            if name.contains("\u{0}") { error("\(what) must not contain a NUL character", at) }
        }

        func schemaName(_ name: String, _ what: String, _ at: SourceLocation?) {
            if name.lowercased().hasPrefix("pg_") { error("\(what) '\(name)' starts with 'pg_', which PostgreSQL reserves for system schemas", at) }
        }
        func expressionColumns(_ expression: String, _ what: String, _ table: Table, _ at: SourceLocation?) {
            switch ExpressionColumns.read(expression) {
            case .invalid(let message): error("\(what) is not one SQL expression: \(message)", at)
            case .notACondition(let why): error("\(what) must be a condition (true or false for a row): \(why)", at)
            case .columns(let names):
                for name in uniqued(names) where table.column(name) == nil {
                    var message = "\(what) names column '\(name)', which '\(table.qualifiedName)' does not have"
                    if let s = Suggestion.closest(to: name, among: table.columns.map(\.name)) { message += "; did you mean '\(s)'?" }
                    error(message, at)
                }
            }
        }

        identifier(t.column, "tenancy.column", tenancyAt)
        identifier(t.helperSchema, "tenancy.helper_schema", tenancyAt)
        schemaName(t.helperSchema, "tenancy.helper_schema", tenancyAt)
        if t.helperSchema.contains("$") {
            error("tenancy.helper_schema must not contain '$': the helper functions' bodies are dollar-quoted and name the schema", tenancyAt)
        }
        if !isCustomSetting(t.setting) {
            error("tenancy.setting '\(t.setting)' must be a custom setting name like 'app.current_tenant_id' (a prefix, a dot, a name)", tenancyAt)
        }

        if t.binding == .signed {
            if !isCustomSetting(t.tokenSetting) { error("tenancy.token_setting '\(t.tokenSetting)' must be a custom setting name like 'app.tenant_token'", tenancyAt) }
            if t.tokenSetting == t.setting { error("tenancy.token_setting must differ from tenancy.setting", tenancyAt) }
            let parts = t.claim.split(separator: ".", omittingEmptySubsequences: false)
            if parts.isEmpty || parts.contains(where: { $0.isEmpty || !$0.allSatisfy { $0.isLetter || $0.isNumber || $0 == "_" || $0 == "-" } }) {
                error("tenancy.claim '\(t.claim)' must be a dot-separated claim path such as 'tenant_id' or 'app_metadata.tenant_id'", tenancyAt)
            }
        }

        if t.binding == .signed && t.helpers == .extension && t.scope == .session {
            // The native binding verifies once per transaction; a verification kept for the whole session would
            // outlive a key's retirement. The inline binding (helpers: inline) verifies in every statement.
            error("tenancy.scope: session with the signed binding needs helpers: inline (the native extension verifies a token once per transaction, so a retired key stops binding at the next one)", tenancyAt)
        }

        if t.missingContext == .error && t.binding == .role {
            // The role binding has no context to forget: the session's login role is the tenant.
            error("tenancy.missing_context: error applies to the context and signed bindings (with binding: role the login role is the tenant; there is no context to set)", tenancyAt)
        }
        if t.missingContext == .error && t.citus {
            error("tenancy.missing_context: error is not yet proved on Citus (the workers evaluate the policies): use empty", tenancyAt)
        }

        if t.citus {
            // What this version proves on a real cluster; the rest is refused rather than half-supported.
            if t.binding != .context { error("tenancy.distribution: citus supports the context binding in this version (signed and role bindings are not yet proved on a cluster)", tenancyAt) }
            if t.scope != .transaction { error("tenancy.distribution: citus sets the context with SET LOCAL, which lasts for the transaction: scope must be transaction", tenancyAt) }
        } else if t.fanOut != .allow {
            error("tenancy.fan_out: \(t.fanOut.rawValue) needs tenancy.distribution: citus (on one server every statement runs in one place)", tenancyAt)
        }

        if t.binding == .role, t.tenantRolePrefix.isEmpty || t.tenantRolePrefix.utf8.count > 26 {
            error("tenancy.tenant_role_prefix must be 1 to 26 bytes, so that prefix and tenant id fit in 63", tenancyAt)
        }

        // Roles
        let roleAt = { (key: String) in r.locations[key] ?? r.locations["roles"] }
        for key in ["owner", "app"] {
            let value = key == "owner" ? r.owner : r.app
            if value.isEmpty { error("roles.\(key) is required", roleAt("roles")) } else { identifier(value, "roles.\(key)", roleAt(key)) }
        }
        if r.locations["admin"] != nil { identifier(r.admin, "roles.admin", roleAt("admin")) }
        if !r.hasAdmin && !r.adminMembers.isEmpty { error("roles.admin_members needs roles.admin: members of which role?", roleAt("admin_members")) }
        if r.ownerAccess == .all && t.citus {
            error("roles.owner_access: all is not proved on Citus in this version (the owner's policy would have to reach every shard)", roleAt("owner_access"))
        }
        for role in r.readonly { identifier(role, "readonly role", roleAt("readonly")) }
        for role in r.adminMembers { identifier(role, "admin member", roleAt("admin_members")) }
        if !r.app.isEmpty && r.app == r.owner {
            error("the application role must not be the owner: owners bypass RLS unless forced, and can turn FORCE off", roleAt("app"))
        }
        if !r.admin.isEmpty && r.admin == r.owner { error("the admin role must not be the owner", roleAt("admin")) }
        if !r.app.isEmpty && r.app == r.admin { error("the application role must not be the admin role: every session would be an admin", roleAt("admin")) }
        if r.readonly.contains(r.owner) { error("a read-only role must not be the owner", roleAt("readonly")) }
        let declared = Set(r.accessRoles)
        if Set(r.readonly).count != r.readonly.count { error("duplicate read-only role", roleAt("readonly")) }
        if r.readonly.contains(r.app) || r.readonly.contains(r.admin) { error("a read-only role must not also be the app or admin role", roleAt("readonly")) }

        // Tables
        var tableNames: [String: SourceLocation?] = [:]
        for table in spec.tables {
            let at = table.location
            identifier(table.name, "table name", at)
            identifier(table.schema, "schema name", at)
            schemaName(table.schema, "schema", at)
            if let earlier = tableNames[table.qualifiedName] {
                let line = earlier.map { " (first at \($0.file):\($0.line))" } ?? ""
                error("duplicate table '\(table.qualifiedName)'\(line)", at)
            }
            tableNames[table.qualifiedName] = at
            if table.columns.isEmpty { error("table '\(table.qualifiedName)' declares no columns", at) }
            if let placement = table.distribution {
                if !t.citus { error("'distribution: \(placement.rawValue)' on '\(table.qualifiedName)' needs tenancy.distribution: citus", at) }
                if placement == .reference && (table.isolation == .tenant || table.isolation == .self) {
                    error("'\(table.qualifiedName)' holds tenants' rows: a reference table would copy every tenant's rows to every node; distribute it, or keep it local", at)
                }
                if placement == .distributed && (table.isolation == .shared || table.isolation == .exempt) {
                    error("'\(table.qualifiedName)' has no tenant column to distribute by: make it a reference table or keep it local", at)
                }
            }
            if t.citus, let column = table.citusDistributionColumn(tenancy: t) {
                // Citus enforces uniqueness per shard: every unique key must contain the distribution column.
                if !table.primaryKey.isEmpty && !table.primaryKey.contains(column) {
                    error("on Citus, the primary key of '\(table.qualifiedName)' must contain the distribution column '\(column)'", at)
                }
                for index in table.indexes where index.unique && !index.columns.contains(where: { $0.name == column }) {
                    error("on Citus, the unique index on '\(table.qualifiedName)' must contain the distribution column '\(column)'", at)
                }
                // Partitions of a distributed table are distributed with it (Citus does it for partitions created
                // later too, by tenantwall or pg_partman); TimescaleDB and Citus do not share a table.
                if table.hypertable != nil {
                    error("on Citus, '\(table.qualifiedName)' cannot also be a hypertable (TimescaleDB and Citus do not share a table): use partitioning", at)
                }
            }

            var columnNames: Set<String> = []
            for column in table.columns {
                identifier(column.name, "column name", column.location)
                if !columnNames.insert(column.name).inserted { error("duplicate column '\(column.name)' in '\(table.qualifiedName)'", column.location) }
                if column.type.trimmingCharacters(in: .whitespaces).isEmpty {
                    error("column '\(column.name)' needs a type", column.location)
                } else if TypeName.normalize(column.type) == nil {
                    error("column '\(column.name)' has unsupported type '\(column.type)' (supported: \(TypeName.baseTypes.sorted().joined(separator: ", ")), with optional (n) and [], or a type of the database's own written schema.name)", column.location)
                }
                if let value = column.defaultValue, let problem = DefaultCheck.problem(value, type: column.type) {
                    error("default of column '\(column.name)': \(problem)", column.location)
                }
            }
            func requireColumn(_ name: String, _ what: String, _ where_: SourceLocation?) {
                if table.column(name) == nil {
                    var message = "\(what) '\(name)' is not a column of '\(table.qualifiedName)'"
                    if let s = Suggestion.closest(to: name, among: table.columns.map(\.name)) { message += "; did you mean '\(s)'?" }
                    error(message, where_)
                }
            }

            switch table.isolation {
            case .tenant:
                if let column = table.column(t.column) {
                    if !TypeName.matches(column.type, tenant: t.type) {
                        error("tenant column '\(t.column)' of '\(table.qualifiedName)' is '\(column.type)', but tenancy.type is '\(t.type.rawValue)'", column.location)
                    }
                } else if !table.columns.isEmpty {
                    error("table '\(table.qualifiedName)' has isolation 'tenant' but no tenant column '\(t.column)'", at)
                }
            case .self:
                let key = table.key ?? "id"
                if let column = table.column(key) {
                    if !TypeName.matches(column.type, tenant: t.type) {
                        error("key column '\(key)' of tenants table '\(table.qualifiedName)' is '\(column.type)', but tenancy.type is '\(t.type.rawValue)'", column.location)
                    }
                } else { requireColumn(key, "key", at) }
            case .exempt:
                if (table.reason ?? "").trimmingLeadingSpaces().isEmpty {
                    error("table '\(table.qualifiedName)' is exempt from RLS: give a 'reason' that a reviewer can read", at)
                }
                if table.restrict != nil { error("an exempt table has no RLS, so 'restrict' would never apply", at) }
            case .shared: break
            }
            if table.isolation != .self, table.key != nil { error("'key' applies only to isolation 'self'", at) }

            for name in table.primaryKey { requireColumn(name, "primary key column", at) }

            for (role, commands) in table.grants {
                let where_ = table.grantLocations[role] ?? at
                if role == r.owner { error("grants to the owner '\(role)' are not needed: it owns the table", where_); continue }
                if !declared.contains(role) {
                    var message = "grant to unknown role '\(role)' (declared: \(r.accessRoles.filter { !$0.isEmpty }.joined(separator: ", ")))"
                    if let s = Suggestion.closest(to: role, among: r.accessRoles) { message += "; did you mean '\(s)'?" }
                    error(message, where_)
                    continue
                }
                // A tenant may create and update its own row of the tenants table (a sign-up sets the new tenant's
                // context first): the policy checks the row's key against the context, so no other row is reachable.
                if table.isolation == .shared || table.isolation == .self, role != r.admin, commands.contains(where: { $0 != .select && !(table.isolation == .self && ($0 == .update || $0 == .insert)) }) {
                    error("'\(table.qualifiedName)' is \(table.isolation.rawValue): only the admin role may write to it (in admin mode)\(table.isolation == .self ? ", apart from INSERT and UPDATE of its own row" : "")", where_)
                }
                if r.readonly.contains(role), commands.contains(where: { $0 != .select }) {
                    error("'\(role)' is a read-only role: it may only be granted select", where_)
                }
            }

            if let restrict = table.restrict {
                if let problem = ExpressionCheck.problem(in: restrict) { error("restrict predicate of '\(table.qualifiedName)': \(problem)", at) }
                else { expressionColumns(restrict, "restrict predicate of '\(table.qualifiedName)'", table, table.restrictLocation ?? at) }
            }

            var indexNames: Set<String> = []
            for index in table.indexes {
                if let name = index.name {
                    identifier(name, "index name", index.location)
                    if !indexNames.insert(name).inserted { error("duplicate index name '\(name)'", index.location) }
                }
                for column in index.columns { requireColumn(column.name, "index column", index.location) }
                for column in index.include { requireColumn(column, "included column", index.location) }
                if let predicate = index.predicate {
                    if let problem = ExpressionCheck.problem(in: predicate) { error("index predicate: \(problem)", index.location) }
                    else { expressionColumns(predicate, "index predicate", table, index.location) }
                }
                if table.isolation == .tenant, let first = index.columns.first, first.name != t.column, index.unique {
                    error("a unique index on a tenant table must include '\(t.column)': a global unique key bypasses RLS and tells one tenant that another's key exists", index.location)
                }
            }

            if table.hypertable != nil && table.partitioning != nil {
                error("'\(table.qualifiedName)' asks for both a hypertable and native partitioning; choose one", at)
            }
            if let h = table.hypertable {
                requireColumn(h.timeColumn, "time_column", h.location)
                if let c = table.column(h.timeColumn), !TypeName.isTime(c.type) { error("time_column '\(h.timeColumn)' must be a date or timestamp column", h.location) }
                interval(h.chunkInterval, "chunk_interval", h.location, &out)
                if let retention = h.retention { interval(retention, "retention", h.location, &out) }
                if !table.primaryKey.isEmpty && !table.primaryKey.contains(h.timeColumn) {
                    error("TimescaleDB requires the primary key of '\(table.qualifiedName)' to include the time column '\(h.timeColumn)'", at)
                }
                if table.isolation == .exempt { error("hypertables hold tenant data; an exempt hypertable is not supported", h.location) }
                let chunkSchema = h.chunkSchema(tenancy: t)
                let chunkSchemaAt = h.keyLocations["chunk_schema"] ?? h.location
                identifier(chunkSchema, "chunk_schema", chunkSchemaAt)
                schemaName(chunkSchema, "chunk_schema", chunkSchemaAt)
                if chunkSchema == t.helperSchema || spec.tables.contains(where: { $0.schema == chunkSchema }) {
                    error("chunk_schema '\(chunkSchema)' must hold chunks only: the access roles use the helper and table schemas, and read-only roles must not be able to name a chunk", chunkSchemaAt)
                }
                if let n = h.spacePartitions, !(1...1024).contains(n) { error("space_partitions must be between 1 and 1024", h.keyLocations["space_partitions"] ?? h.location) }
                for (role, commands) in table.grants where commands.contains(.delete) {
                    error("DELETE cannot be granted on hypertable '\(table.qualifiedName)': TimescaleDB copies a hypertable's table-level privileges to every new chunk, and DELETE has no column-level form, so '\(role)' could delete every tenant's rows from a new chunk by naming it; old rows go with 'retention', a tenant's rows with `tenantwall tenant remove --delete-data`", table.grantLocations[role] ?? h.location)
                }
            }
            if let p = table.partitioning {
                requireColumn(p.column, "partitioning column", p.location)
                if let c = table.column(p.column), !TypeName.isTime(c.type) { error("partitioning column '\(p.column)' must be a date or timestamp column", p.location) }
                interval(p.interval, "interval", p.location, &out)
                if !(1...120).contains(p.premake) { error("premake must be between 1 and 120", p.location) }
                if !table.primaryKey.isEmpty && !table.primaryKey.contains(p.column) {
                    error("PostgreSQL requires the primary key of a partitioned table to include the partition column '\(p.column)'", at)
                }
                if p.manager == .pg_partman && !(isPlainName(table.schema) && isPlainName(table.name) && isPlainName(p.column)) {
                    error("pg_partman 4 takes table names as unquoted text: use lower-case letters, digits and '_' for its tables", p.location)
                }
                if p.manager == .pg_partman && partmanInterval(p.interval) == nil {
                    error("pg_partman supports intervals of 1 hour, day, week, month, quarter or year; '\(p.interval)' is not one", p.location)
                }
            }
        }
        out += legacyFunctions(spec)
        out += rollups(spec)
        return out
    }

    /// Each rollup reads one tenant table of the spec, groups by the tenant column first, names each output
    /// once, calls only what `RollupExpression` allows, and is refreshed by an owner that sees every row.
    static func rollups(_ spec: Spec) -> [Diagnostic] {
        var out: [Diagnostic] = []
        let start = SourceLocation(file: spec.files.first ?? "spec", line: 1, column: 1)
        let t = spec.tenancy
        var seen: [String: SourceLocation] = [:]
        for rollup in spec.rollups {
            let at = rollup.location ?? start
            func error(_ message: String, _ key: String? = nil) {
                out.append(Diagnostic(.error, "rollup '\(rollup.name)': " + message, at: key.flatMap { rollup.keyLocations[$0] } ?? at))
            }
            if rollup.name.utf8.count > maxIdentifierBytes - 4 {
                error("the name is over \(maxIdentifierBytes - 4) bytes: its unique index '<name>_key' would be truncated by PostgreSQL", "name")
            }
            if t.citus { error("rollups are not built on Citus (a materialized view over a distributed table is the coordinator's, gathered from every shard)", "name") }
            if let earlier = seen[rollup.name] {
                error("another rollup has this name (at \(earlier.file):\(earlier.line)); each has a materialized view of that name in \(Rollup.privateSchema(tenancy: t))", "name")
            }
            seen[rollup.name] = seen[rollup.name] ?? at
            if rollup.viewSchema.lowercased().hasPrefix("pg_") { error("schema '\(rollup.viewSchema)' starts with 'pg_'", "schema") }
            if spec.tables.contains(where: { $0.schema == rollup.viewSchema && $0.name == rollup.name }) {
                error("'\(rollup.qualifiedName)' is a table of the spec; the walled view needs its own name", "name")
            }
            if spec.roles.ownerAccess != .all {
                error("the refresh runs as the owner, which sees no row of a FORCE-RLS table unless roles.owner_access is 'all' (a rollup refreshed with owner_access: none would be empty)", "source")
            }
            let (schema, name) = rollup.sourceParts
            guard let table = spec.tables.first(where: { $0.schema == schema && $0.name == name }) else {
                var message = "source '\(rollup.source)' is not a table of the spec"
                let candidates = rollup.source.contains(".") ? spec.tables.map(\.qualifiedName) : spec.tables.filter { $0.schema == "public" }.map(\.name)
                if let s = Suggestion.closest(to: rollup.source, among: candidates) { message += "; did you mean '\(s)'?" }
                error(message, "source")
                continue
            }
            guard table.isolation == .tenant else {
                error("source '\(table.qualifiedName)' has isolation '\(table.isolation.rawValue)'; a rollup reads a tenant table (grouped by \(t.column))", "source")
                continue
            }
            var names: Set<String> = [t.column]
            for (output, expression, key) in rollup.groupBy.map({ ($0.name, $0.expression, "group_by") }) + rollup.aggregates.map({ ($0.name, $0.expression, "aggregates") }) {
                if output.isEmpty || output.utf8.count > maxIdentifierBytes { error("output name '\(output)' must be 1 to \(maxIdentifierBytes) bytes", key) }
                if output == t.column { error("'\(output)' is the tenant column, always the first key: do not list it", key); continue }
                if !names.insert(output).inserted { error("output '\(output)' is named twice", key) }
                switch RollupExpression.read(expression) {
                case .failure(let problem): error("\(key) '\(output)': \(problem.message)", key)
                case .success(let reading):
                    if key == "group_by" && reading.aggregates { error("group_by '\(output)' calls an aggregate", key) }
                    if key == "aggregates" && !reading.aggregates { error("aggregates '\(output)' calls no aggregate (count, sum, …); group by it instead", key) }
                    for column in uniqued(reading.columns) where table.column(column) == nil {
                        var message = "\(key) '\(output)' names column '\(column)', which '\(table.qualifiedName)' does not have"
                        if let s = Suggestion.closest(to: column, among: table.columns.map(\.name)) { message += "; did you mean '\(s)'?" }
                        error(message, key)
                    }
                }
            }
            if !table.grants.contains(where: { $0.commands.contains(.select) }) {
                error("no access role may read '\(table.qualifiedName)', so none would be granted the rollup", "source")
            }
        }
        return out
    }

    /// Each legacy function once, in the form `schema.name(types)`; `replace` only for a setter of one
    /// argument (the tenant), and never where tenantwall's own helpers would take the same name.
    static func legacyFunctions(_ spec: Spec) -> [Diagnostic] {
        var out: [Diagnostic] = []
        var seen: Set<String> = []
        let start = SourceLocation(file: spec.files.first ?? "spec", line: 1, column: 1)
        for function in spec.legacyFunctions {
            let at = function.location ?? start
            guard let parts = function.parts, isPlainName(parts.schema) || !parts.schema.isEmpty, !parts.name.isEmpty,
                  parts.arguments.allSatisfy({ TypeName.normalize($0) != nil }) else {
                out.append(Diagnostic(.error, "legacy function '\(function.signature)' must be written schema.name(argument types), e.g. public.set_tenant_context(uuid)", at: at))
                continue
            }
            if !seen.insert(function.signature).inserted { out.append(Diagnostic(.error, "legacy function '\(function.signature)' is named twice", at: at)) }
            if parts.schema == spec.tenancy.helperSchema && ["set_tenant_context", "current_tenant_id", "clear_tenant_context", "enable_admin_mode", "disable_admin_mode"].contains(parts.name) {
                out.append(Diagnostic(.error, "legacy function '\(function.signature)' is in tenantwall's helper schema '\(parts.schema)', where tenantwall's own \(parts.name) lives: choose another tenancy.helper_schema", at: at))
            }
            if function.action == .replace && spec.tenancy.binding != .context {
                out.append(Diagnostic(.error, "legacy function '\(function.signature)': replace makes a shim that sets the tenant context, which the \(spec.tenancy.binding.rawValue) binding does not take from the application (use revoke)", at: at))
            }
            if function.action == .replace && parts.arguments.count != 1 {
                out.append(Diagnostic(.error, "legacy function '\(function.signature)': replace makes a shim that sets the tenant from its one argument; this one takes \(parts.arguments.count) (use revoke or keep)", at: at))
            }
        }
        return out
    }

    static func isPlainName(_ name: String) -> Bool {
        guard let first = name.first, first == "_" || ("a"..."z").contains(first) else { return false }
        return name.allSatisfy { $0 == "_" || ("a"..."z").contains($0) || ("0"..."9").contains($0) }
    }

    static func isCustomSetting(_ name: String) -> Bool {
        let parts = name.split(separator: ".", omittingEmptySubsequences: false)
        guard parts.count >= 2, name.utf8.count <= maxIdentifierBytes else { return false }
        return parts.allSatisfy { part in
            guard let first = part.first, first.isLetter || first == "_" else { return false }
            return part.allSatisfy { $0.isASCII && ($0.isLetter || $0.isNumber || $0 == "_") }
        }
    }

    /// `N unit[s]`, e.g. `1 day`, `90 days`, `1 month`.
    public static func parseInterval(_ text: String) -> (count: Int, unit: String)? {
        let parts = text.lowercased().split(separator: " ")
        guard parts.count == 2, let count = Int(parts[0]), count > 0 else { return nil }
        var unit = String(parts[1])
        if unit.hasSuffix("s") { unit.removeLast() }
        return intervalUnits.contains(unit) ? (count, unit) : nil
    }

    static func interval(_ text: String, _ what: String, _ at: SourceLocation?, _ out: inout [Diagnostic]) {
        if parseInterval(text) == nil {
            out.append(Diagnostic(.error, "\(what) '\(text)' must look like '1 day', '7 days' or '1 month'", at: at))
        }
    }

    /// pg_partman 4.x interval keywords.
    public static func partmanInterval(_ text: String) -> String? {
        guard let (count, unit) = parseInterval(text), count == 1 || (unit == "month" && count == 3) else { return nil }
        if unit == "month" && count == 3 { return "quarterly" }
        return ["hour": "hourly", "day": "daily", "week": "weekly", "month": "monthly", "year": "yearly"][unit]
    }
}
