extension CatalogQueries {
    /// One row of a catalog query, read by column name into types.
    struct Row {
        let values: [String: String?]
        func text(_ name: String) -> String? { values[name] ?? nil }
        func string(_ name: String, _ fallback: String = "") -> String { text(name) ?? fallback }
        func bool(_ name: String) -> Bool { text(name) == "true" }
        func list(_ name: String) -> [String] { array(text(name)) }
    }

    /// Builds the catalog from the rows of the queries above (each row by column name), in the order of `all`:
    /// `tables, policies, roles, functions, dependencies, triggers, indexes, foreignKeys, defaultPrivileges,
    /// schemas, eventTriggers, columnPrivileges, extensions`. Trailing results may be left out (hand-built catalogs in tests),
    /// and columns a row lacks take their defaults.
    public static func catalog(_ results: [[[String: String?]]]) -> DatabaseCatalog {
        let results = results.map { $0.map(Row.init) }
        func rows(_ index: Int) -> [Row] { index < results.count ? results[index] : [] }
        var catalog = DatabaseCatalog()
        let columnPrivileges = Dictionary(grouping: rows(11), by: { $0.string("table") })
        catalog.tables = rows(0).map { table($0, columnPrivileges: columnPrivileges) }
        catalog.policies = rows(1).map { r in
            DatabaseCatalog.Policy(table: r.string("table"), name: r.string("name"), permissive: r.bool("permissive"), command: r.string("command", "*"),
                                   roles: r.list("roles"), using: r.text("using"), check: r.text("check"))
        }
        catalog.roles = rows(2).map { r in
            DatabaseCatalog.Role(name: r.string("name"), superuser: r.bool("superuser"), bypassRLS: r.bool("bypassrls"), bypassMemberships: r.list("bypass_memberships"),
                                 canLogin: r.bool("can_login"), memberOf: r.list("member_of"), login: r.bool("login"),
                                 connectionLimit: Int(r.string("connection_limit", "-1")) ?? -1, grantedRoles: r.list("granted_roles"))
        }
        catalog.functions = rows(3).map(function)
        catalog.dependencies = rows(4).map { DatabaseCatalog.Dependency(view: $0.string("view"), table: $0.string("table")) }
        catalog.triggers = rows(5).map { r in
            DatabaseCatalog.Trigger(table: r.string("table"), name: r.string("name"), function: r.string("function"), functionOwner: r.string("function_owner"),
                                    securityDefiner: r.bool("security_definer"))
        }
        catalog.indexes = rows(6).map { r in
            DatabaseCatalog.IndexInfo(table: r.string("table"), name: r.string("name"), columns: r.list("columns"), shape: r.string("shape"),
                                      definition: r.string("definition"), valid: r.text("valid") != "false", partial: r.bool("partial"))
        }
        catalog.foreignKeys = rows(7).map { DatabaseCatalog.ForeignKey(table: $0.string("table"), name: $0.string("name"), references: $0.string("references"),
                                                                       columns: $0.list("columns"), referencedColumns: $0.list("referenced_columns")) }
        catalog.defaultPrivileges = rows(8).map { DatabaseCatalog.DefaultPrivilege(owner: $0.string("owner"), schema: $0.string("schema"),
                                                                                   grantee: $0.string("grantee"), privilege: $0.string("privilege")) }
        catalog.schemas = rows(9).map { DatabaseCatalog.Schema(name: $0.string("name"), owner: $0.string("owner"), acl: $0.text("acl")) }
        catalog.eventTriggers = rows(10).map { DatabaseCatalog.EventTrigger(name: $0.string("name"), enabled: $0.string("enabled"), function: $0.string("function")) }
        catalog.extensions = Dictionary(rows(12).map { ($0.string("name"), $0.string("schema")) }, uniquingKeysWith: { a, _ in a })
        return catalog
    }

    static func table(_ r: Row, columnPrivileges: [String: [Row]]) -> DatabaseCatalog.Table {
        var table = DatabaseCatalog.Table(oid: r.string("oid"), schema: r.string("schema"), name: r.string("name"), kind: r.string("kind"), rls: r.bool("rls"),
                                          forced: r.bool("forced"), owner: r.string("owner"), parent: r.text("parent"), columns: r.list("columns"),
                                          grants: r.list("grants"), options: r.list("options"), schemaUsers: r.list("schema_users"),
                                          columnGrants: r.list("column_grants"))
        table.parents = r.text("parents") == nil ? table.parent.map { [$0] } ?? [] : r.list("parents")
        table.isPartition = r.bool("is_partition")
        table.generatedColumns = r.list("generated_columns")
        table.acl = r.text("acl")
        table.quotedSchema = r.string("quoted_schema", table.schema)
        let types = r.list("column_types"), notNull = r.list("not_null")
        table.attributes = table.columns.enumerated().map { i, name in
            DatabaseCatalog.Column(name: name, type: i < types.count ? types[i] : "", notNull: i < notNull.count && notNull[i] == "t")
        }
        table.columnPrivileges = (columnPrivileges[table.qualified] ?? []).map { DatabaseCatalog.ColumnPrivilege(grantee: $0.string("grantee"), columns: $0.list("columns")) }
        table.definition = r.text("definition")
        table.populated = r.text("populated") != "false"
        table.comment = r.text("comment")
        return table
    }

    static func function(_ r: Row) -> DatabaseCatalog.Function {
        var function = DatabaseCatalog.Function(schema: r.string("schema"), name: r.string("name"), signature: r.string("signature"),
                                                securityDefiner: r.bool("security_definer"), config: r.list("config"), leakproof: r.bool("leakproof"),
                                                volatility: r.string("volatility", "v"), parallel: r.string("parallel", "u"), owner: r.string("owner"),
                                                executors: r.list("executors"), body: r.text("body"), native: r.bool("native"))
        function.identity = r.string("identity")
        function.argumentTypes = r.list("argument_types")
        function.definition = r.text("definition")
        function.acl = r.text("acl")
        return function
    }

    /// Parses PostgreSQL's text form of a one-dimensional array: `{a,"b c","d\\"e"}`.
    static func array(_ text: String?) -> [String] {
        guard let text, text.count >= 2, text.first == "{", text.last == "}" else { return [] }
        var out: [String] = [], current = "", quoted = false, escaped = false, wasQuoted = false
        for c in text.dropFirst().dropLast() {
            if escaped { current.append(c); escaped = false; continue }
            switch c {
            case "\\" where quoted: escaped = true
            case "\"": quoted.toggle(); wasQuoted = true
            case "," where !quoted:
                out.append(!wasQuoted && current == "NULL" ? "" : current); current = ""; wasQuoted = false
            default: current.append(c)
            }
        }
        if !current.isEmpty || wasQuoted { out.append(current) }
        return out
    }
}
