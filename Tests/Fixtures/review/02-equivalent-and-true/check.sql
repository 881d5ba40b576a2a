-- documents_tenant's USING gains a redundant AND true
-- Run on each side as a superuser (psql -X -q -At -v ON_ERROR_STOP=1 -f check.sql).
-- base: 1
-- head: 1
BEGIN;
SET LOCAL app.tenant_id = '11111111-1111-1111-1111-111111111111';
SET LOCAL ROLE app_user;
SELECT count(*) FROM documents;
ROLLBACK;

-- admin, in tenant acme: the same on both sides
-- base: 1
-- head: 1
BEGIN;
SET LOCAL app.tenant_id = '11111111-1111-1111-1111-111111111111';
SET LOCAL ROLE admin;
SELECT count(*) FROM documents;
ROLLBACK;
