import Foundation
import Quoting

/// The role binding's reader (`SELECT m.tenant FROM "portal"."tenant_roles" AS m WHERE m.role_name = CURRENT_USER`):
/// the tenant is the session's role, so no statement sets it. A witness' tenant is had the way
/// `tenantwall tenant add --member-of <role>` has it: a tenant role of the run's own, a member of the role the
/// witness is about, mapped to the tenant, all inside the run's rolled-back transaction; the run then acts as it.
struct TenantRoleMapping: Sendable, Equatable {
    /// The mapping table, qualified and quoted.
    var table: String
    var roleColumn: String
    var tenantColumn: String

    /// The tenant role a run creates and acts as (gone with its transaction).
    static let standIn = "tenantwall_witness_tenant"

    init?(_ function: ContextFunction) {
        let body = function.body
        guard body.range(of: "CURRENT_USER", options: .caseInsensitive) != nil,
              let from = SignedSetter.capture(#"FROM\s+"?([A-Za-z0-9_$]+)"?\."?([A-Za-z0-9_$]+)"?\s+AS\s+([A-Za-z0-9_]+)"#, body, 3),
              let selected = SignedSetter.capture(#"SELECT\s+"# + from[2] + #"\."?([A-Za-z0-9_$]+)"?"#, body, 1),
              let matched = SignedSetter.capture(#"WHERE\s+"# + from[2] + #"\."?([A-Za-z0-9_$]+)"?\s+(?:OPERATOR\s*\(\s*pg_catalog\.=\s*\)|=)\s*CURRENT_USER"#, body, 1)
        else { return nil }
        table = SQL.qualified(from[0], from[1])
        tenantColumn = selected[0]
        roleColumn = matched[0]
    }

    /// As the superuser: the tenant role, its membership in `role` (so that role's grants and policies apply to
    /// it), and its mapping to `tenant` (a literal).
    func setup(role: String, tenant: SQLLiteralValue) -> [String] {
        ["DO $tw$ BEGIN CREATE ROLE \(SQL.ident(Self.standIn)) NOLOGIN; EXCEPTION WHEN duplicate_object THEN NULL; END $tw$",
         "GRANT \(SQL.ident(role)) TO \(SQL.ident(Self.standIn))",
         "INSERT INTO \(table) (\(SQL.ident(roleColumn)), \(SQL.ident(tenantColumn))) VALUES (\(SQL.literal(Self.standIn)), \(tenant.sql))"]
    }
}
