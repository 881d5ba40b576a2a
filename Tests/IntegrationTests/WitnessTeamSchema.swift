import Postgres

/// A tenant schema as a team writes it before tenantwall: a tenants table that others reference, NOT NULL and
/// CHECK columns, an enum, identity keys, their own `current_setting('app.tenant_id', true)` reader (SQL) and
/// a PL/pgSQL one with its setter, an app role, and rows of two tenants. The witness tests break its policies.
enum WitnessTeamSchema {
    static let tenantA = "00000000-0000-0000-0000-00000000000a"
    static let tenantB = "00000000-0000-0000-0000-00000000000b"

    static let sql = """
        DO $r$ BEGIN
            IF NOT EXISTS (SELECT FROM pg_roles WHERE rolname = 'witness_app') THEN CREATE ROLE witness_app NOLOGIN; END IF;
            IF NOT EXISTS (SELECT FROM pg_roles WHERE rolname = 'witness_admin') THEN CREATE ROLE witness_admin NOLOGIN; END IF;
        END $r$;
        CREATE TYPE ticket_status AS ENUM ('open', 'pending', 'closed');
        CREATE TABLE tenants (id uuid PRIMARY KEY, name text NOT NULL CHECK (length(name) > 2));
        CREATE TABLE tickets (
            tenant_id uuid NOT NULL REFERENCES tenants (id),
            id bigint GENERATED ALWAYS AS IDENTITY,
            title text NOT NULL CHECK (title <> ''),
            status ticket_status NOT NULL DEFAULT 'open',
            priority integer NOT NULL CHECK (priority BETWEEN 1 AND 5),
            is_public boolean NOT NULL DEFAULT false,
            details jsonb,
            PRIMARY KEY (tenant_id, id));
        CREATE FUNCTION current_tenant_id() RETURNS uuid LANGUAGE sql STABLE
            AS $$ SELECT NULLIF(current_setting('app.tenant_id', true), '')::uuid $$;
        CREATE FUNCTION app_tenant() RETURNS uuid LANGUAGE plpgsql STABLE
            AS $$ BEGIN RETURN NULLIF(current_setting('app.tenant_id', true), '')::uuid; END $$;
        CREATE FUNCTION set_tenant_context(tenant uuid) RETURNS void LANGUAGE sql
            AS $$ SELECT set_config('app.tenant_id', tenant::text, true) $$;
        GRANT SELECT, INSERT, UPDATE, DELETE ON tickets TO witness_app, witness_admin;
        GRANT SELECT ON tenants TO witness_app;
        ALTER TABLE tickets ENABLE ROW LEVEL SECURITY;
        ALTER TABLE tenants ENABLE ROW LEVEL SECURITY;
        CREATE POLICY tenant_select ON tickets FOR SELECT TO witness_app USING (tenant_id = current_setting('app.tenant_id', true)::uuid);
        CREATE POLICY tenant_insert ON tickets FOR INSERT TO witness_app WITH CHECK (tenant_id = current_tenant_id());
        CREATE POLICY tenant_update ON tickets FOR UPDATE TO witness_app USING (tenant_id = app_tenant());
        CREATE POLICY tenant_delete ON tickets FOR DELETE TO witness_app USING (tenant_id = app_tenant());
        INSERT INTO tenants VALUES ('\(tenantA)', 'Acme'), ('\(tenantB)', 'Globex');
        INSERT INTO tickets (tenant_id, title, status, priority) VALUES
            ('\(tenantA)', 'printer', 'open', 2), ('\(tenantA)', 'vpn', 'closed', 3), ('\(tenantB)', 'payroll', 'pending', 1);
        """

    /// Every row of every table, as one text: equal before and after a run means the run left nothing.
    static func fingerprint(_ db: Connection, tables: [String] = ["tenants", "tickets"]) throws -> String {
        try tables.map { table in
            try db.query("SELECT count(*) || ':' || coalesce(md5(string_agg(t::text, ',' ORDER BY t::text)), '') FROM \(table) AS t").scalar ?? ""
        }.joined(separator: " ")
    }
}
