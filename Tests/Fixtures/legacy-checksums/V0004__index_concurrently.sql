-- tenantwall:no-transaction
-- tenantwall:lock-timeout=2s
CREATE INDEX CONCURRENTLY IF NOT EXISTS notes_body_idx ON public.notes (tenant_id, body);
