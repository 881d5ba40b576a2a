import Quoting
/// The `role` binding: each tenant logs in as its own role, a member of the application role (so the
/// application's grants and policies apply to it) or of a read-only role (a dashboard's data source: the
/// read-only role's SELECT grants and policies apply, nothing it could write), and `current_tenant_id()` looks
/// the session's role up in `tenant_roles`. Tenant roles may read only their own mapping row and change none; `SET ROLE` to another
/// tenant's role is refused (not a member), and `SET ROLE` to the application role finds no mapping: NULL,
/// zero rows. Works with poolers that pool per user.
struct RoleBindingStatements {
    let spec: Spec

    func statements() -> [Statement] {
        let t = spec.tenancy, h = t.helperSchema
        let map = SQL.qualified(h, "tenant_roles")
        // The mapping is readable through the roles a tenant role can be a member of; the admin role is not one.
        let members = SQL.identList(uniqued([spec.roles.app] + spec.roles.readonly))
        return [
            Statement(.helpers, """
                CREATE TABLE IF NOT EXISTS \(map) (
                    role_name name PRIMARY KEY,
                    tenant \(t.type.rawValue) NOT NULL,
                    created_at timestamptz NOT NULL DEFAULT now()
                )
                """, comment: "Which tenant each tenant role belongs to. Written by `tenantwall tenant add`."),
            Statement(.helpers, "CREATE INDEX IF NOT EXISTS tenant_roles_tenant_idx ON \(map) (tenant)"),
            Statement(.helpers, "ALTER TABLE \(map) ENABLE ROW LEVEL SECURITY"),
            Statement(.helpers, "REVOKE ALL ON TABLE \(map) FROM PUBLIC"),
            Statement(.helpers, "GRANT SELECT ON TABLE \(map) TO \(SQL.identList(uniqued(spec.roles.accessRoles)))"),
            Statement(.helpers, "DROP POLICY IF EXISTS tw_own_mapping ON \(map)"),
            Statement(.helpers, "CREATE POLICY tw_own_mapping ON \(map) AS PERMISSIVE FOR SELECT TO \(members)\n    USING (role_name OPERATOR(pg_catalog.=) CURRENT_USER)",
                      comment: "A tenant role sees only its own mapping row."),
            Statement(.helpers, """
                CREATE OR REPLACE FUNCTION \(SQL.qualified(h, "current_tenant_id"))() RETURNS \(t.type.rawValue)
                    LANGUAGE sql STABLE PARALLEL SAFE
                    AS \(SQL.dollarQuoted(" SELECT m.tenant FROM \(map) AS m WHERE m.role_name OPERATOR(pg_catalog.=) CURRENT_USER "))
                """, comment: "The session role's tenant, or NULL for any role that is not a tenant role."),
        ]
    }
}
