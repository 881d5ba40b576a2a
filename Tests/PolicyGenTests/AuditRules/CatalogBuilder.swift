import Audit
import Foundation

/// A catalog written by hand, as the rows of `AuditCatalogQueries` (PostgreSQL's text form of arrays), built into
/// an `AuditCatalog` by the same code that reads a live one, plus what `AuditCatalogReader` adds when TimescaleDB
/// or Citus is installed. Rule tests describe a small database in a few lines with it, and need no server:
///
///     var b = CatalogBuilder()
///     b.role("app", login: true)
///     b.table("public.orders", columns: ["tenant_id", "id"], grants: ["app:SELECT"])
///     let findings = RLSDisabled().check(AuditInput(catalog: b.build()))
struct CatalogBuilder {
    var tables: [[String: String?]] = [], policies: [[String: String?]] = [], roles: [[String: String?]] = []
    var functions: [[String: String?]] = [], dependencies: [[String: String?]] = [], triggers: [[String: String?]] = []
    var indexes: [[String: String?]] = [], foreignKeys: [[String: String?]] = [], defaultPrivileges: [[String: String?]] = []
    /// TimescaleDB's catalog (read only when it is installed).
    var hypertables: Set<String> = [], continuousAggregates: [String: String] = [:], compressedHypertables: Set<String> = []
    /// Citus's catalog (read only when it is installed): hash-distributed tables, and each role's settings as
    /// `pg_db_role_setting.setconfig` prints them (`{citus.propagate_set_commands=local}`).
    var distributed: Set<String> = [], roleSettings: [String: String] = [:]

    /// `{"a","b"}`: every item quoted, with `"` and `\` escaped as PostgreSQL's array output does.
    static func array(_ items: [String]) -> String {
        "{" + items.map { "\"" + $0.replacingOccurrences(of: "\\", with: "\\\\").replacingOccurrences(of: "\"", with: "\\\"") + "\"" }.joined(separator: ",") + "}"
    }

    static func list(_ items: [String]) -> String? { items.isEmpty ? nil : array(items) }

    /// A relation (`kind`: `r` table, `p` partitioned, `v` view, `m` materialized view, `f` foreign table).
    /// `grants` and `columnGrants` are `grantee:PRIVILEGE`; `schemaUsers` the roles with USAGE on its schema.
    /// `types` are the columns' `format_type`s, in order (none: unread, which the solver cannot judge).
    mutating func table(_ qualified: String, owner: String = "owner", columns: [String], rls: Bool = false, forced: Bool = false,
                        grants: [String] = [], kind: String = "r", parent: String? = nil, options: [String] = [],
                        schemaUsers: [String] = [], columnGrants: [String] = [], generated: [String] = [], types: [String] = [], notNull: [String] = []) {
        let parts = qualified.split(separator: ".", maxSplits: 1).map(String.init)
        tables.append(["oid": String(tables.count + 1), "schema": parts[0], "name": parts[1], "kind": kind, "rls": String(rls), "forced": String(forced),
                       "owner": owner, "parent": parent, "columns": Self.array(columns), "grants": Self.list(grants),
                       "options": Self.list(options), "schema_users": Self.list(schemaUsers), "column_grants": Self.list(columnGrants),
                       "generated_columns": Self.list(generated), "column_types": Self.list(types),
                       "not_null": Self.list(columns.map { notNull.contains($0) ? "t" : "f" })])
    }

    /// A policy as `pg_get_expr` prints it; `command` is `polcmd` (`r`, `a`, `w`, `d`, `*`).
    mutating func policy(_ table: String, _ name: String, roles: [String] = ["public"], command: String = "*", using: String?, check: String? = nil,
                         permissive: Bool = true) {
        policies.append(["table": table, "name": name, "permissive": String(permissive), "command": command, "roles": Self.array(roles),
                         "using": using, "check": check])
    }

    mutating func role(_ name: String, superuser: Bool = false, bypassRLS: Bool = false, bypassMemberships: [String] = [], login: Bool = false,
                       memberOf: [String] = [], granted: [String]? = nil) {
        roles.append(["name": name, "superuser": String(superuser), "bypassrls": String(bypassRLS), "bypass_memberships": Self.list(bypassMemberships),
                      "can_login": String(login), "member_of": Self.list(memberOf), "granted_roles": granted.map(Self.list) ?? nil])
    }

    /// A function. `volatility` is `provolatile` (`i`, `s`, `v`), `parallel` is `proparallel` (`s`, `r`, `u`),
    /// `config` its `SET` clauses (`search_path=pg_catalog, pg_temp`). `executors` is who holds EXECUTE: here
    /// only what the test names (a live function created without REVOKE also lists PUBLIC).
    mutating func function(_ qualified: String, signature: String = "", securityDefiner: Bool = false, config: [String] = [], leakproof: Bool = false,
                           volatility: String = "v", parallel: String = "u", owner: String = "owner", executors: [String]? = nil,
                           body: String? = nil, native: Bool = false, definition: String? = nil) {
        let parts = qualified.split(separator: ".", maxSplits: 1).map(String.init)
        functions.append(["schema": parts[0], "name": parts[1], "signature": signature, "security_definer": String(securityDefiner),
                          "config": Self.list(config), "leakproof": String(leakproof), "volatility": volatility, "parallel": parallel, "owner": owner,
                          "executors": Self.list(executors ?? [owner]), "body": body, "native": String(native), "definition": definition])
    }

    /// A view or materialized view that reads `table` (a `pg_depend` row of its rewrite rule).
    mutating func dependency(view: String, table: String) {
        dependencies.append(["view": view, "table": table])
    }

    mutating func trigger(_ table: String, _ name: String, function: String, functionOwner: String, securityDefiner: Bool) {
        triggers.append(["table": table, "name": name, "function": function, "function_owner": functionOwner, "security_definer": String(securityDefiner)])
    }

    /// An index; its shape is `pg_get_indexdef` without the name, as the query prints it.
    mutating func index(_ table: String, _ name: String, columns: [String], unique: Bool = false) {
        let shape = "CREATE \(unique ? "UNIQUE " : "")INDEX ON \(table) USING btree (\(columns.joined(separator: ", ")))"
        indexes.append(["table": table, "name": name, "columns": Self.array(columns), "shape": shape])
    }

    mutating func foreignKey(_ table: String, _ name: String, columns: [String], references: String, referencedColumns: [String]) {
        foreignKeys.append(["table": table, "name": name, "references": references, "columns": Self.array(columns), "referenced_columns": Self.array(referencedColumns)])
    }

    /// `ALTER DEFAULT PRIVILEGES FOR ROLE owner [IN SCHEMA schema] GRANT privilege ON TABLES TO grantee`.
    mutating func defaultPrivilege(owner: String, schema: String = "", grantee: String, privilege: String) {
        defaultPrivileges.append(["owner": owner, "schema": schema, "grantee": grantee, "privilege": privilege])
    }

    func build() -> AuditCatalog {
        var catalog = AuditCatalogQueries.catalog([tables, policies, roles, functions, dependencies, triggers, indexes, foreignKeys, defaultPrivileges])
        catalog.hypertables = hypertables
        catalog.continuousAggregates = continuousAggregates
        catalog.compressedHypertables = compressedHypertables
        catalog.distributed = distributed
        // As AuditCatalogReader splits `setconfig`.
        for (role, text) in roleSettings {
            catalog.roleSettings[role, default: []] += text.trimmingCharacters(in: CharacterSet(charactersIn: "{}")).split(separator: ",").map(String.init)
        }
        return catalog
    }
}
