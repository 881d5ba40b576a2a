import Catalog

/// A catalog written by hand as the rows of `CatalogQueries` (PostgreSQL's text form of arrays), built by the same
/// code that decodes a live one, so the access model's tests read the catalog a server would give them.
///
///     var b = AccessCatalogBuilder()
///     b.role("app_user")
///     b.table("public.orders", columns: ["tenant_id uuid!", "id bigint!"], rls: true, grants: ["app_user:SELECT"])
///     b.policy("public.orders", "iso", using: "(tenant_id = desk.current_tenant_id())")
///     let catalog = b.build()
struct AccessCatalogBuilder {
    var tables: [[String: String?]] = [], policies: [[String: String?]] = [], roles: [[String: String?]] = []
    var functions: [[String: String?]] = [], dependencies: [[String: String?]] = [], columnPrivileges: [[String: String?]] = []

    static func array(_ items: [String]) -> String {
        "{" + items.map { "\"" + $0.replacingOccurrences(of: "\\", with: "\\\\").replacingOccurrences(of: "\"", with: "\\\"") + "\"" }.joined(separator: ",") + "}"
    }

    static func list(_ items: [String]) -> String? { items.isEmpty ? nil : array(items) }

    /// `columns` as `name type`, `!` at the end for NOT NULL: `["tenant_id uuid!", "is_public boolean"]`.
    /// `columnPrivileges`: `grantee:PRIVILEGE` → the columns granted.
    mutating func table(_ qualified: String, owner: String = "owner", columns: [String], kind: String = "r", rls: Bool = false, forced: Bool = false,
                        grants: [String] = [], columnPrivileges: [String: [String]] = [:], options: [String] = [], definition: String? = nil) {
        let parts = qualified.split(separator: ".", maxSplits: 1).map(String.init)
        let specs = columns.map { spec -> (name: String, type: String, notNull: Bool) in
            let notNull = spec.hasSuffix("!"), words = spec.dropLast(notNull ? 1 : 0).split(separator: " ", maxSplits: 1).map(String.init)
            return (words[0], words.count > 1 ? words[1] : "text", notNull)
        }
        tables.append(["oid": String(tables.count + 1), "schema": parts[0], "name": parts[1], "kind": kind, "rls": String(rls), "forced": String(forced),
                       "owner": owner, "columns": Self.array(specs.map(\.name)), "column_types": Self.array(specs.map(\.type)),
                       "not_null": Self.array(specs.map { $0.notNull ? "t" : "f" }), "grants": Self.list(grants), "options": Self.list(options),
                       "column_grants": Self.list(columnPrivileges.keys.sorted()), "definition": definition])
        for (grantee, names) in columnPrivileges.sorted(by: { $0.key < $1.key }) {
            self.columnPrivileges.append(["table": qualified, "grantee": grantee, "columns": Self.array(names)])
        }
    }

    /// A policy as `pg_get_expr` prints it; `command` is `polcmd` (`r`, `a`, `w`, `d`, `*`), roles `public` for PUBLIC.
    mutating func policy(_ table: String, _ name: String, roles: [String] = ["public"], command: String = "*", using: String?, check: String? = nil,
                         permissive: Bool = true) {
        policies.append(["table": table, "name": name, "permissive": String(permissive), "command": command, "roles": Self.array(roles),
                         "using": using, "check": check])
    }

    mutating func role(_ name: String, superuser: Bool = false, bypassRLS: Bool = false, memberOf: [String] = []) {
        let bypassing = memberOf.filter { other in roles.contains { $0["name"] == other && ($0["superuser"] == "true" || $0["bypassrls"] == "true") } }
        roles.append(["name": name, "superuser": String(superuser), "bypassrls": String(bypassRLS), "bypass_memberships": Self.list(bypassing),
                      "member_of": Self.list(memberOf)])
    }

    /// A function: `body` is `prosrc` of an SQL or PL/pgSQL function; the definition is printed the way
    /// `pg_get_functiondef` prints it (RETURNS, LANGUAGE), which the solver reads.
    mutating func function(_ qualified: String, body: String?, returns: String = "uuid", language: String = "sql", volatility: String = "s",
                           owner: String = "owner") {
        let parts = qualified.split(separator: ".", maxSplits: 1).map(String.init)
        functions.append(["schema": parts[0], "name": parts[1], "signature": "", "security_definer": "false", "leakproof": "false",
                          "volatility": volatility, "parallel": "s", "owner": owner, "executors": Self.array(["PUBLIC"]), "body": body,
                          "native": "false", "identity": qualified + "()",
                          "definition": "CREATE OR REPLACE FUNCTION \(qualified)()\n RETURNS \(returns)\n LANGUAGE \(language)\n"
                              + " \(["i": "IMMUTABLE", "s": "STABLE"][volatility] ?? "VOLATILE")\nAS $function$\(body ?? "")$function$\n"])
    }

    mutating func dependency(view: String, table: String) {
        dependencies.append(["view": view, "table": table])
    }

    func build() -> DatabaseCatalog {
        CatalogQueries.catalog([tables, policies, roles, functions, dependencies, [], [], [], [], [], [], columnPrivileges])
    }
}
