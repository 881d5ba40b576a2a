import Yams

/// Turns spec files into a `Spec`: parses YAML, reads every section with locations, merges the files, then
/// runs `SpecValidator`. Pure: it takes file names and text, and returns a spec or every error found.
///
///     let spec = try SpecLoader.load([("policies/app.yaml", text)])
public enum SpecLoader {
    static let topKeys = ["tenancy", "roles", "tables", "legacy_functions", "rollups"]
    static let tenancyKeys = ["column", "type", "setting", "helper_schema", "scope", "helpers", "binding", "token_setting", "claim", "tenant_role_prefix",
                              "distribution", "fan_out", "missing_context"]
    static let roleKeys = ["owner", "app", "admin", "admin_members", "readonly", "create", "owner_access"]
    static let legacyKeys = ["function", "action"]
    static let tableKeys = ["name", "schema", "isolation", "key", "reason", "columns", "primary_key", "grants",
                            "restrict", "indexes", "hypertable", "partitioning", "distribution"]
    static let columnKeys = ["type", "not_null", "default"]
    static let indexKeys = ["name", "columns", "include", "unique", "where"]
    static let hypertableKeys = ["time_column", "chunk_interval", "retention", "chunk_schema", "space_partitions", "compression",
                                 "continuous_aggregates"]
    static let partitionKeys = ["column", "interval", "premake", "manager"]
    static let rollupKeys = ["name", "schema", "source", "group_by", "aggregates"]

    public static func load(_ files: [(path: String, text: String)]) throws -> Spec {
        var diagnostics: [Diagnostic] = []
        var tenancy: Tenancy?
        var roles: Roles?
        var tables: [Table] = []
        var legacyFunctions: [LegacyFunction] = []
        var rollups: [Rollup] = []
        var firstSection: [String: SourceLocation] = [:]
        var unparsed = false
        let sources = Dictionary(files.map { ($0.path, $0.text) }, uniquingKeysWith: { a, _ in a })

        for file in files {
            var reader = NodeReader(file: file.path)
            if let problem = YAMLGuard.problem(in: file.text) {
                diagnostics.append(Diagnostic(.error, problem.message, at: SourceLocation(file: file.path, line: problem.line, column: problem.column)))
                unparsed = true
                continue
            }
            let root: Node?
            do {
                root = try Yams.compose(yaml: file.text)
            } catch {
                diagnostics.append(yamlDiagnostic(error, file: file.path))
                unparsed = true
                continue
            }
            guard let root else { continue }
            for (key, keyNode, value) in reader.mapping(root, allowed: topKeys, what: "the spec") ?? [] {
                let here = reader.location(keyNode)
                if key != "tables" && key != "legacy_functions" && key != "rollups", let earlier = firstSection[key] {
                    reader.error("'\(key)' is already given at \(earlier.file):\(earlier.line); a model has one", keyNode)
                    continue
                }
                firstSection[key] = firstSection[key] ?? here
                switch key {
                case "tenancy": tenancy = readTenancy(value, &reader, at: here)
                case "roles": roles = readRoles(value, &reader, at: here)
                case "tables":
                    for item in reader.sequence(value, what: "tables") ?? [] {
                        if let table = readTable(item, &reader) { tables.append(table) }
                    }
                case "legacy_functions":
                    for item in reader.sequence(value, what: "legacy_functions") ?? [] {
                        if let function = readLegacyFunction(item, &reader) { legacyFunctions.append(function) }
                    }
                case "rollups":
                    for item in reader.sequence(value, what: "rollups") ?? [] {
                        if let rollup = readRollup(item, &reader) { rollups.append(rollup) }
                    }
                default: break  // `mapping(allowed:)` reported it
                }
            }
            diagnostics += reader.diagnostics
        }
        let firstFile = files.first?.path ?? "spec"
        let start = SourceLocation(file: firstFile, line: 1, column: 1)
        if tenancy == nil { tenancy = Tenancy() }
        if roles == nil && !unparsed { diagnostics.append(Diagnostic(.error, "the spec has no 'roles' section (owner and app are required)", at: start)) }
        if tables.isEmpty && !unparsed && diagnostics.isEmpty { diagnostics.append(Diagnostic(.error, "the spec declares no tables", at: start)) }

        let resolvedRoles = roles ?? Roles()
        let spec = Spec(tenancy: tenancy ?? Tenancy(), roles: resolvedRoles,
                        tables: tables.map { DefaultGrants.apply(to: $0, roles: resolvedRoles) }, legacyFunctions: legacyFunctions,
                        rollups: rollups, files: files.map(\.path))
        // Semantic checks run on whatever could be read, so one run reports structural and semantic errors together.
        if !unparsed && roles != nil { diagnostics += SpecValidator.validate(spec) }
        let errors = diagnostics.filter { $0.severity == .error }
        guard errors.isEmpty else {
            throw SpecErrors(diagnostics: diagnostics.sorted { ($0.location ?? start) < ($1.location ?? start) }, sources: sources)
        }
        return spec
    }

    static func yamlDiagnostic(_ error: Error, file: String) -> Diagnostic {
        if let yaml = error as? YamlError {
            switch yaml {
            case let .scanner(context, problem, mark, _), let .parser(context, problem, mark, _), let .composer(context, problem, mark, _):
                let text = [context?.text, problem].compactMap { $0 }.filter { !$0.isEmpty }.joined(separator: ": ")
                return Diagnostic(.error, "invalid YAML: \(text)", at: SourceLocation(file: file, line: mark.line, column: mark.column))
            case let .duplicatedKeysInMapping(duplicates, context):
                return Diagnostic(.error, "duplicate keys \(duplicates.joined(separator: ", "))",
                                  at: SourceLocation(file: file, line: context.mark.line, column: context.mark.column))
            default: break
            }
        }
        return Diagnostic(.error, "invalid YAML: \(error)", at: SourceLocation(file: file, line: 1, column: 1))
    }

    static func readTenancy(_ node: Node, _ reader: inout NodeReader, at location: SourceLocation) -> Tenancy {
        var tenancy = Tenancy()
        tenancy.location = location
        for (key, _, value) in reader.mapping(node, allowed: tenancyKeys, what: "tenancy") ?? [] {
            switch key {
            case "column": tenancy.column = reader.string(value, what: "tenancy.column") ?? tenancy.column
            case "type": tenancy.type = reader.choice(value, what: "tenancy.type", as: TenantType.self) ?? tenancy.type
            case "setting": tenancy.setting = reader.string(value, what: "tenancy.setting") ?? tenancy.setting
            case "helper_schema": tenancy.helperSchema = reader.string(value, what: "tenancy.helper_schema") ?? tenancy.helperSchema
            case "scope": tenancy.scope = reader.choice(value, what: "tenancy.scope", as: ContextScope.self) ?? tenancy.scope
            case "binding": tenancy.binding = reader.choice(value, what: "tenancy.binding", as: Binding.self) ?? tenancy.binding
            case "token_setting": tenancy.tokenSetting = reader.string(value, what: "tenancy.token_setting") ?? tenancy.tokenSetting
            case "claim": tenancy.claim = reader.string(value, what: "tenancy.claim") ?? tenancy.claim
            case "tenant_role_prefix": tenancy.tenantRolePrefix = reader.string(value, what: "tenancy.tenant_role_prefix") ?? tenancy.tenantRolePrefix
            case "distribution": tenancy.distribution = reader.choice(value, what: "tenancy.distribution", as: Distribution.self) ?? tenancy.distribution
            case "fan_out": tenancy.fanOut = reader.choice(value, what: "tenancy.fan_out", as: FanOut.self) ?? tenancy.fanOut
            case "missing_context":
                tenancy.missingContext = reader.choice(value, what: "tenancy.missing_context", as: MissingContext.self) ?? tenancy.missingContext
            case "helpers": tenancy.helpers = reader.choice(value, what: "tenancy.helpers", as: HelperInstall.self) ?? tenancy.helpers
            default: break  // `mapping(allowed:)` reported it
            }
        }
        return tenancy
    }

    static func readRoles(_ node: Node, _ reader: inout NodeReader, at location: SourceLocation) -> Roles {
        var roles = Roles()
        roles.locations["roles"] = location
        for (key, _, value) in reader.mapping(node, allowed: roleKeys, what: "roles") ?? [] {
            roles.locations[key] = reader.location(value)
            switch key {
            case "owner": roles.owner = reader.string(value, what: "roles.owner") ?? ""
            case "app": roles.app = reader.string(value, what: "roles.app") ?? ""
            case "admin": roles.admin = reader.string(value, what: "roles.admin") ?? ""
            case "admin_members": roles.adminMembers = reader.strings(value, what: "roles.admin_members") ?? []
            case "readonly": roles.readonly = reader.strings(value, what: "roles.readonly") ?? []
            case "create": roles.create = reader.bool(value, what: "roles.create") ?? true
            case "owner_access": roles.ownerAccess = reader.choice(value, what: "roles.owner_access", as: OwnerAccess.self) ?? roles.ownerAccess
            default: break  // `mapping(allowed:)` reported it
            }
        }
        return roles
    }

    static func readLegacyFunction(_ node: Node, _ reader: inout NodeReader) -> LegacyFunction? {
        guard let entries = reader.mapping(node, allowed: legacyKeys, what: "a legacy function") else { return nil }
        var signature: String?, action: LegacyAction?
        for (key, _, value) in entries {
            switch key {
            case "function": signature = reader.string(value, what: "legacy function")
            case "action": action = reader.choice(value, what: "legacy function action", as: LegacyAction.self)
            default: break  // `mapping(allowed:)` reported it
            }
        }
        guard let signature else { reader.error("a legacy function needs 'function' (schema.name(argument types))", node); return nil }
        guard let action else {
            reader.error("legacy function '\(signature)' needs an 'action' (one of: \(LegacyAction.allCases.map(\.rawValue).joined(separator: ", ")))", node)
            return nil
        }
        return LegacyFunction(signature: signature, action: action, location: reader.location(node))
    }

    static func readTable(_ node: Node, _ reader: inout NodeReader) -> Table? {
        guard let entries = reader.mapping(node, allowed: tableKeys, what: "a table") else { return nil }
        var table = Table(schema: "public", name: "", isolation: .tenant, key: nil, reason: nil, columns: [],
                          primaryKey: [], grants: [], restrict: nil, indexes: [], hypertable: nil, partitioning: nil,
                          location: reader.location(node))
        var sawName = false, sawIsolation = false
        for (key, keyNode, value) in entries {
            switch key {
            case "name": table.name = reader.string(value, what: "table name") ?? ""; sawName = true
            case "schema": table.schema = reader.string(value, what: "table schema") ?? "public"
            case "isolation":
                sawIsolation = true
                table.isolation = reader.choice(value, what: "isolation", as: Isolation.self) ?? .tenant
            case "key": table.key = reader.string(value, what: "key")
            case "reason": table.reason = reader.string(value, what: "reason")
            case "columns": table.columns = readColumns(value, &reader)
            case "primary_key": table.primaryKey = reader.strings(value, what: "primary_key") ?? []
            case "grants":
                table.grants = readGrants(value, &reader)
                if case let .mapping(mapping) = value {
                    for (roleNode, _) in mapping { if let role = roleNode.scalar?.string { table.grantLocations[role] = reader.location(roleNode) } }
                }
            case "restrict":
                table.restrict = reader.string(value, what: "restrict")
                table.restrictLocation = reader.location(keyNode)
            case "indexes":
                for item in reader.sequence(value, what: "indexes") ?? [] {
                    if let index = readIndex(item, &reader) { table.indexes.append(index) }
                }
            case "hypertable": table.hypertable = readHypertable(value, &reader)
            case "partitioning": table.partitioning = readPartitioning(value, &reader)
            case "distribution": table.distribution = reader.choice(value, what: "table distribution", as: TableDistribution.self)
            default: break  // `mapping(allowed:)` reported it
            }
        }
        if !sawName { reader.error("a table needs a 'name'", node); return nil }
        if !sawIsolation { reader.error("table '\(table.name)' needs an 'isolation' (one of: \(Isolation.allCases.map(\.rawValue).joined(separator: ", ")))", node) }
        return table
    }

    static func readColumns(_ node: Node, _ reader: inout NodeReader) -> [Column] {
        var columns: [Column] = []
        for (name, keyNode, value) in reader.mapping(node, allowed: nil, what: "columns") ?? [] {
            let location = reader.location(keyNode)
            if case .scalar = value {
                if let type = reader.string(value, what: "the type of column '\(name)'") {
                    columns.append(Column(name: name, type: type, location: location))
                }
                continue
            }
            var column = Column(name: name, type: "", location: location)
            var sawType = false
            for (key, _, item) in reader.mapping(value, allowed: columnKeys, what: "column '\(name)'") ?? [] {
                switch key {
                case "type": column.type = reader.string(item, what: "column type") ?? ""; sawType = true
                case "not_null": column.notNull = reader.bool(item, what: "not_null") ?? false
                case "default": column.defaultValue = readDefault(item, &reader)
                default: break  // `mapping(allowed:)` reported it
                }
            }
            if !sawType { reader.error("column '\(name)' needs a 'type'", keyNode) }
            columns.append(column)
        }
        return columns
    }

    static func readDefault(_ node: Node, _ reader: inout NodeReader) -> ColumnDefault? {
        guard case let .scalar(scalar) = node else {
            reader.error("a default must be a value or one of \(ColumnDefault.functions.joined(separator: ", "))", node)
            return nil
        }
        if scalar.style == .plain {
            if ColumnDefault.functions.contains(scalar.string.lowercased()) { return .function(scalar.string.lowercased()) }
            if let bool = node.bool { return .bool(bool) }
            if node.int != nil || node.float != nil { return .number(scalar.string) }
            if scalar.string.hasSuffix(")") {
                reader.error("default '\(scalar.string)' is not an allowed function (one of: \(ColumnDefault.functions.joined(separator: ", "))); quote it to use it as a string", node)
                return nil
            }
        }
        return .string(scalar.string)
    }

    static func readGrants(_ node: Node, _ reader: inout NodeReader) -> [(role: String, commands: [Command])] {
        var grants: [(String, [Command])] = []
        for (role, _, value) in reader.mapping(node, allowed: nil, what: "grants") ?? [] {
            var commands: [Command] = []
            for name in reader.strings(value, what: "the commands granted to '\(role)'") ?? [] {
                if name.lowercased() == "all" { commands = Command.allCases; continue }
                if let command = Command(rawValue: name.lowercased()) {
                    commands.append(command)
                } else {
                    var message = "unknown command '\(name)' for role '\(role)' (one of: select, insert, update, delete, all; TRUNCATE, REFERENCES and TRIGGER are never granted)"
                    if let s = Suggestion.closest(to: name.lowercased(), among: Command.allCases.map(\.rawValue)) { message += "; did you mean '\(s)'?" }
                    reader.error(message, value)
                }
            }
            grants.append((role, Array(Set(commands)).sorted()))
        }
        return grants
    }

    static func readIndex(_ node: Node, _ reader: inout NodeReader) -> Index? {
        guard let entries = reader.mapping(node, allowed: indexKeys, what: "an index") else { return nil }
        var index = Index(name: nil, columns: [], include: [], unique: false, predicate: nil, location: reader.location(node))
        for (key, _, value) in entries {
            switch key {
            case "name": index.name = reader.string(value, what: "index name")
            case "columns":
                index.columns = (reader.strings(value, what: "index columns") ?? []).map { entry in
                    let parts = entry.split(separator: " ")
                    if parts.count == 2, parts[1].lowercased() == "desc" { return IndexColumn(name: String(parts[0]), descending: true) }
                    if parts.count == 2, parts[1].lowercased() == "asc" { return IndexColumn(name: String(parts[0]), descending: false) }
                    return IndexColumn(name: entry, descending: false)
                }
            case "include": index.include = reader.strings(value, what: "index include") ?? []
            case "unique": index.unique = reader.bool(value, what: "unique") ?? false
            case "where": index.predicate = reader.string(value, what: "index where")
            default: break  // `mapping(allowed:)` reported it
            }
        }
        if index.columns.isEmpty { reader.error("an index needs 'columns'", node) }
        return index
    }

    static func readHypertable(_ node: Node, _ reader: inout NodeReader) -> Hypertable? {
        guard let entries = reader.mapping(node, allowed: hypertableKeys, what: "hypertable") else { return nil }
        var hypertable = Hypertable(timeColumn: "", chunkInterval: "7 days", retention: nil, location: reader.location(node))
        for (key, keyNode, value) in entries {
            hypertable.keyLocations[key] = reader.location(keyNode)
            switch key {
            case "time_column": hypertable.timeColumn = reader.string(value, what: "time_column") ?? ""
            case "chunk_interval": hypertable.chunkInterval = reader.string(value, what: "chunk_interval") ?? ""
            case "retention": hypertable.retention = reader.string(value, what: "retention")
            case "chunk_schema": hypertable.chunkSchema = reader.string(value, what: "chunk_schema")
            case "space_partitions": hypertable.spacePartitions = reader.int(value, what: "space_partitions")
            case "compression":
                if reader.bool(value, what: "compression") == true {
                    reader.error("TimescaleDB refuses compression (columnstore) on a table with row-level security (\"columnstore cannot be used on table with row security\"); remove 'compression': keep raw rows uncompressed and bound their size with 'retention' and a shorter chunk_interval", keyNode)
                }
            case "continuous_aggregates":
                if case .sequence(let items) = value, items.isEmpty { continue }
                if reader.bool(value, what: "continuous_aggregates") == false { continue }
                reader.error("TimescaleDB refuses continuous aggregates on a hypertable with row-level security (\"cannot create continuous aggregate on hypertable with row security\"); remove 'continuous_aggregates': declare the rollup as its own tenant table (e.g. a daily hypertable) and fill it with a scheduled INSERT … SELECT … GROUP BY tenant_id, so its rows carry the tenant and its own policy", keyNode)
            default: break  // `mapping(allowed:)` reported it
            }
        }
        if hypertable.timeColumn.isEmpty { reader.error("hypertable needs a 'time_column'", node) }
        return hypertable
    }

    static func readPartitioning(_ node: Node, _ reader: inout NodeReader) -> Partitioning? {
        guard let entries = reader.mapping(node, allowed: partitionKeys, what: "partitioning") else { return nil }
        var partitioning = Partitioning(column: "", interval: "1 month", premake: 3, manager: .native, location: reader.location(node))
        for (key, _, value) in entries {
            switch key {
            case "column": partitioning.column = reader.string(value, what: "partitioning column") ?? ""
            case "interval": partitioning.interval = reader.string(value, what: "partitioning interval") ?? ""
            case "premake": partitioning.premake = reader.int(value, what: "premake") ?? 3
            case "manager": partitioning.manager = reader.choice(value, what: "partitioning manager", as: PartitionManager.self) ?? .native
            default: break  // `mapping(allowed:)` reported it
            }
        }
        if partitioning.column.isEmpty { reader.error("partitioning needs a 'column'", node) }
        return partitioning
    }

    static func readRollup(_ node: Node, _ reader: inout NodeReader) -> Rollup? {
        guard let entries = reader.mapping(node, allowed: rollupKeys, what: "a rollup") else { return nil }
        var rollup = Rollup(name: "", source: "", groupBy: [], aggregates: [], location: reader.location(node))
        for (key, keyNode, value) in entries {
            rollup.keyLocations[key] = reader.location(keyNode)
            switch key {
            case "name": rollup.name = reader.string(value, what: "rollup name") ?? ""
            case "schema": rollup.schema = reader.string(value, what: "rollup schema")
            case "source": rollup.source = reader.string(value, what: "rollup source") ?? ""
            case "group_by": rollup.groupBy = readOutputs(value, &reader, what: "group_by", columnsAllowed: true)
            case "aggregates": rollup.aggregates = readOutputs(value, &reader, what: "aggregates", columnsAllowed: false)
            default: break  // `mapping(allowed:)` reported it
            }
        }
        if rollup.name.isEmpty { reader.error("a rollup needs a 'name'", node); return nil }
        if rollup.source.isEmpty { reader.error("rollup '\(rollup.name)' needs a 'source' (the tenant table it reads)", node) }
        if rollup.aggregates.isEmpty { reader.error("rollup '\(rollup.name)' needs 'aggregates' (output name: expression, e.g. events: count(*))", node) }
        return rollup
    }

    /// `name: expression` pairs in order; for `group_by`, a list of column names is also accepted.
    static func readOutputs(_ node: Node, _ reader: inout NodeReader, what: String, columnsAllowed: Bool) -> [(name: String, expression: String)] {
        if columnsAllowed, case .sequence = node {
            return (reader.strings(node, what: what) ?? []).map { ($0, $0) }
        }
        var out: [(name: String, expression: String)] = []
        for (key, _, value) in reader.mapping(node, allowed: nil, what: what) ?? [] {
            if let expression = reader.string(value, what: "\(what) '\(key)'") { out.append((key, expression)) }
        }
        return out
    }
}
