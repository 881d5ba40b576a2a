-- ALTER ROLE app_user BYPASSRLS (TW112)
-- Run on each side as a superuser (psql -X -q -At -v ON_ERROR_STOP=1 -f check.sql).
-- base: 0
-- head: 2
BEGIN;
SET LOCAL app.tenant_id = '11111111-1111-1111-1111-111111111111';
SET LOCAL ROLE app_user;
SELECT count(*) FROM documents WHERE tenant_id = '22222222-2222-2222-2222-222222222222';
ROLLBACK;

-- app_user, in tenant acme, reads every tenant
-- base: 1
-- head: 2
BEGIN;
SET LOCAL app.tenant_id = '11111111-1111-1111-1111-111111111111';
SET LOCAL ROLE app_user;
SELECT count(*) FROM tenants;
ROLLBACK;
