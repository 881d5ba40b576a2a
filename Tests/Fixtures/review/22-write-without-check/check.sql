-- documents_tenant's WITH CHECK (tenant_id = app.current_tenant_id()) is dropped, so writes are checked by USING, which admits admin mode (TW107)
-- Run on each side as a superuser (psql -X -q -At -v ON_ERROR_STOP=1 -f check.sql).
-- base: ERROR:  new row violates row-level security policy for table "documents"
-- head: inserted
BEGIN;
SET LOCAL app.admin_mode = 'on';
SET LOCAL ROLE admin;
INSERT INTO documents (tenant_id, project_id, title) VALUES ('22222222-2222-2222-2222-222222222222', 2, 'Planted');
SELECT 'inserted';
ROLLBACK;
