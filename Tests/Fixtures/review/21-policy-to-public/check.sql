-- documents_tenant loses TO app_user and applies to PUBLIC: admin reaches tenant rows without admin mode (TW105)
-- Run on each side as a superuser (psql -X -q -At -v ON_ERROR_STOP=1 -f check.sql).
-- base: 0
-- head: 1
BEGIN;
SET LOCAL app.tenant_id = '11111111-1111-1111-1111-111111111111';
SET LOCAL ROLE admin;
SELECT count(*) FROM documents;
ROLLBACK;
