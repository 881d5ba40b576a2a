-- documents loses ENABLE/FORCE ROW LEVEL SECURITY; its policies stay, dormant (TW101, TW102)
-- Run on each side as a superuser (psql -X -q -At -v ON_ERROR_STOP=1 -f check.sql).
-- base: 0
-- head: 2
BEGIN;
SET LOCAL app.tenant_id = '11111111-1111-1111-1111-111111111111';
SET LOCAL ROLE app_user;
SELECT count(*) FROM documents WHERE tenant_id = '22222222-2222-2222-2222-222222222222';
ROLLBACK;

-- admin, in tenant acme without admin mode, reads globex's documents
-- base: 0
-- head: 2
BEGIN;
SET LOCAL app.tenant_id = '11111111-1111-1111-1111-111111111111';
SET LOCAL ROLE admin;
SELECT count(*) FROM documents WHERE tenant_id = '22222222-2222-2222-2222-222222222222';
ROLLBACK;
