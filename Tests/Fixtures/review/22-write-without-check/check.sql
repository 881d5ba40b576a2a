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

-- app_user setting app.admin_mode itself: refused on both sides (equivalent)
-- base: ERROR:  new row violates row-level security policy for table "documents"
-- head: ERROR:  new row violates row-level security policy for table "documents"
BEGIN;
SET LOCAL app.tenant_id = '11111111-1111-1111-1111-111111111111';
SET LOCAL app.admin_mode = 'on';
SET LOCAL ROLE app_user;
INSERT INTO documents (tenant_id, project_id, title) VALUES ('22222222-2222-2222-2222-222222222222', 2, 'Planted');
SELECT 'inserted';
ROLLBACK;
