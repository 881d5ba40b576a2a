-- GRANT TRUNCATE ON documents TO app_user: TRUNCATE ignores row-level security (TW121)
-- Run on each side as a superuser (psql -X -q -At -v ON_ERROR_STOP=1 -f check.sql).
-- base: ERROR:  permission denied for table documents
-- head: 0
BEGIN;
SET LOCAL app.tenant_id = '11111111-1111-1111-1111-111111111111';
SET LOCAL ROLE app_user;
TRUNCATE documents;
RESET ROLE;
SELECT count(*) FROM documents;
ROLLBACK;
