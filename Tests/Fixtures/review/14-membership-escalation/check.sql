-- GRANT admin TO app_user: the application inherits admin's grants and policies and can turn admin mode on (TW130)
-- Run on each side as a superuser (psql -X -q -At -v ON_ERROR_STOP=1 -f check.sql).
-- base: 0
-- head: 2
BEGIN;
SET LOCAL app.tenant_id = '11111111-1111-1111-1111-111111111111';
SET LOCAL app.admin_mode = 'on';
SET LOCAL ROLE app_user;
SELECT count(*) FROM documents WHERE tenant_id = '22222222-2222-2222-2222-222222222222';
ROLLBACK;

-- app_user in admin mode reads globex's projects
-- base: 0
-- head: 2
BEGIN;
SET LOCAL app.tenant_id = '11111111-1111-1111-1111-111111111111';
SET LOCAL app.admin_mode = 'on';
SET LOCAL ROLE app_user;
SELECT count(*) FROM projects WHERE tenant_id = '22222222-2222-2222-2222-222222222222';
ROLLBACK;

-- app_user in admin mode creates a tenant
-- base: ERROR:  permission denied for table tenants
-- head: inserted
BEGIN;
SET LOCAL app.admin_mode = 'on';
SET LOCAL ROLE app_user;
INSERT INTO tenants (id, name) VALUES ('33333333-3333-3333-3333-333333333333', 'initech');
SELECT 'inserted';
ROLLBACK;
