import Catalog
import Proof
import XCTest

/// The tenant schema most access tests start from: `owner` owns `public.orders` (RLS on and forced), `app_user`
/// reads and writes it under four per-command policies on the tenant wall, and `admin` opens a gate.
enum AccessFixture {
    static let reader = "desk.current_tenant_id()"
    static let wall = "(tenant_id = desk.current_tenant_id())"
    static let options = AccessOptions(gates: ["desk.admin_mode_enabled": "admin"], reader: reader, adminRole: "admin")
    static let orderColumns = ["tenant_id uuid!", "id bigint!", "is_public boolean!", "body text", "secret text"]

    static func base() -> AccessCatalogBuilder {
        var b = AccessCatalogBuilder()
        b.role("owner")
        b.role("admin")
        b.role("app_user")
        b.function("desk.current_tenant_id", body: " SELECT NULLIF(current_setting('app.tenant_id', true), '')::uuid ")
        b.function("desk.admin_mode_enabled", body: "BEGIN RETURN current_setting('app.admin_mode', true) = 'on'; END", returns: "boolean",
                   language: "plpgsql", volatility: "v")
        b.table("public.orders", columns: orderColumns, rls: true, forced: true,
                grants: ["owner:SELECT", "owner:INSERT", "owner:UPDATE", "owner:DELETE", "owner:TRUNCATE",
                         "app_user:SELECT", "app_user:INSERT", "app_user:UPDATE", "app_user:DELETE"])
        b.policy("public.orders", "orders_select", roles: ["app_user"], command: "r", using: wall)
        b.policy("public.orders", "orders_insert", roles: ["app_user"], command: "a", using: nil, check: wall)
        b.policy("public.orders", "orders_update", roles: ["app_user"], command: "w", using: wall, check: wall)
        b.policy("public.orders", "orders_delete", roles: ["app_user"], command: "d", using: wall)
        return b
    }

    static func state(_ b: AccessCatalogBuilder, options: AccessOptions = options) -> AccessDiff.State {
        let catalog = b.build()
        return (AccessModel(catalog: catalog, options: options), catalog)
    }

    static func diff(_ base: AccessCatalogBuilder, _ head: AccessCatalogBuilder, solver: PredicateSolver = PredicateSolver()) -> [Change] {
        AccessDiff.compare(base: state(base), head: state(head), solver: solver)
    }
}

extension AccessCatalogBuilder {
    /// Removes the policies named, to rewrite them in a head.
    mutating func dropPolicies(_ names: Set<String>) {
        policies.removeAll { names.contains(($0["name"] ?? nil) ?? "") }
    }

    /// Changes one row of `tables` (grants, owner, rls, forced, options) by qualified name.
    mutating func alterTable(_ qualified: String, _ key: String, _ value: String?) {
        for i in tables.indices where (tables[i]["schema"] ?? nil).map({ $0 + "." + ((tables[i]["name"] ?? nil) ?? "") }) == qualified {
            tables[i][key] = value
        }
    }

    mutating func alterRole(_ name: String, _ key: String, _ value: String?) {
        for i in roles.indices where roles[i]["name"] == name { roles[i][key] = value }
    }
}
