-- projects_select admits public projects of every tenant: tenant_id = app.current_tenant_id() OR is_public
-- Run on each side as a superuser (psql -X -q -At -v ON_ERROR_STOP=1 -f check.sql).
-- base: 0
-- head: 1
BEGIN;
SET LOCAL app.tenant_id = '11111111-1111-1111-1111-111111111111';
SET LOCAL ROLE app_user;
SELECT count(*) FROM projects WHERE tenant_id = '22222222-2222-2222-2222-222222222222';
ROLLBACK;

-- support, in tenant acme, reads globex's public project
-- base: 0
-- head: 1
BEGIN;
SET LOCAL app.tenant_id = '11111111-1111-1111-1111-111111111111';
SET LOCAL ROLE support;
SELECT count(*) FROM projects WHERE tenant_id = '22222222-2222-2222-2222-222222222222';
ROLLBACK;

-- admin, in tenant acme without admin mode, reads it too
-- base: 0
-- head: 1
BEGIN;
SET LOCAL app.tenant_id = '11111111-1111-1111-1111-111111111111';
SET LOCAL ROLE admin;
SELECT count(*) FROM projects WHERE tenant_id = '22222222-2222-2222-2222-222222222222';
ROLLBACK;
