-- A metrics service as a team builds it before tenantwall: integer tenant ids, written by hand, with data.
-- - public.accounts (the tenants, an enum status), public.metrics and public.alerts with an accounts foreign key;
-- - an enable_admin_mode() that sets a session flag, and policies `OR current_setting('app.admin_mode') = 'true'`;
-- - the ingestion service calls enable_admin_mode() and writes every tenant's metrics;
-- - its own set_tenant_context(integer), session scope, on the setting app.tenant_id.
DO $$
BEGIN
    IF NOT EXISTS (SELECT 1 FROM pg_roles WHERE rolname = 'metrics_owner') THEN CREATE ROLE metrics_owner NOLOGIN; END IF;
    IF NOT EXISTS (SELECT 1 FROM pg_roles WHERE rolname = 'metrics_api') THEN CREATE ROLE metrics_api LOGIN; END IF;
    IF NOT EXISTS (SELECT 1 FROM pg_roles WHERE rolname = 'metrics_ingest') THEN CREATE ROLE metrics_ingest LOGIN; END IF;
END
$$;
GRANT CREATE ON SCHEMA public TO metrics_owner;
SET ROLE metrics_owner;

CREATE TYPE public.account_status AS ENUM ('active', 'suspended', 'closed');
CREATE TABLE public.accounts (
    id integer PRIMARY KEY,
    name text NOT NULL,
    status public.account_status NOT NULL DEFAULT 'active',
    created_at timestamptz NOT NULL DEFAULT now()
);
CREATE TABLE public.metrics (
    tenant_id integer NOT NULL REFERENCES public.accounts (id),
    ts timestamptz NOT NULL,
    name text NOT NULL,
    value double precision NOT NULL CHECK (value >= 0),
    labels jsonb,
    PRIMARY KEY (tenant_id, name, ts)
);
CREATE TABLE public.alerts (
    id bigserial PRIMARY KEY,
    tenant_id integer NOT NULL REFERENCES public.accounts (id),
    metric text NOT NULL,
    threshold numeric NOT NULL CHECK (threshold > 0),
    created_at timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX alerts_tenant_id_idx ON public.alerts (tenant_id);

CREATE FUNCTION public.set_tenant_context(t integer) RETURNS void
    LANGUAGE sql AS $$ SELECT set_config('app.tenant_id', t::text, false) $$;
CREATE FUNCTION public.enable_admin_mode() RETURNS void
    LANGUAGE sql AS $$ SELECT set_config('app.admin_mode', 'true', false) $$;

ALTER TABLE public.metrics ENABLE ROW LEVEL SECURITY;
CREATE POLICY metrics_tenant ON public.metrics
    USING (tenant_id = current_setting('app.tenant_id', true)::integer OR current_setting('app.admin_mode', true) = 'true');
ALTER TABLE public.alerts ENABLE ROW LEVEL SECURITY;
CREATE POLICY alerts_tenant ON public.alerts
    USING (tenant_id = current_setting('app.tenant_id', true)::integer OR current_setting('app.admin_mode', true) = 'true');

GRANT SELECT ON public.accounts TO metrics_api, metrics_ingest;
GRANT SELECT ON public.metrics TO metrics_api;
GRANT SELECT, INSERT, UPDATE, DELETE ON public.alerts TO metrics_api;
GRANT USAGE ON SEQUENCE public.alerts_id_seq TO metrics_api;
GRANT SELECT, INSERT ON public.metrics TO metrics_ingest;

INSERT INTO public.accounts (id, name, status) VALUES (1, 'north', 'active'), (2, 'south', 'active'), (3, 'east', 'suspended');
INSERT INTO public.metrics (tenant_id, ts, name, value, labels)
SELECT a.id, timestamptz '2026-11-01 00:00+00' + n * interval '10 minutes', (ARRAY['cpu', 'mem', 'disk'])[1 + n % 3], (n % 97)::double precision,
       CASE WHEN n % 4 = 0 THEN jsonb_build_object('host', 'h' || n % 7) END
FROM public.accounts AS a CROSS JOIN generate_series(1, 300) AS n;
INSERT INTO public.alerts (tenant_id, metric, threshold)
SELECT a.id, m, 90 FROM public.accounts AS a CROSS JOIN unnest(ARRAY['cpu', 'mem']) AS m;
RESET ROLE;
