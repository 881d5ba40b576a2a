-- the view project_directory loses security_invoker: it reads projects with its owner's rights (TW114)
-- Run on each side as a superuser (psql -X -q -At -v ON_ERROR_STOP=1 -f check.sql).
-- base: 0
-- head: 2
BEGIN;
SET LOCAL app.tenant_id = '11111111-1111-1111-1111-111111111111';
SET LOCAL ROLE app_user;
SELECT count(*) FROM project_directory WHERE tenant_id = '22222222-2222-2222-2222-222222222222';
ROLLBACK;

-- support, in tenant acme, reads globex's rows through the view
-- base: 0
-- head: 2
BEGIN;
SET LOCAL app.tenant_id = '11111111-1111-1111-1111-111111111111';
SET LOCAL ROLE support;
SELECT count(*) FROM project_directory WHERE tenant_id = '22222222-2222-2222-2222-222222222222';
ROLLBACK;
