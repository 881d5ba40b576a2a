import Postgres

extension Connection {
    /// Whether the session's role ignores row-level security (superuser or BYPASSRLS): what verify and tenant
    /// provisioning need, since they write rows for several tenants.
    public func bypassesRLS() throws -> Bool {
        try query("SELECT rolsuper OR rolbypassrls FROM pg_catalog.pg_roles WHERE rolname = current_user").flag
    }
}
