-- REVOKE UPDATE ON projects FROM app_user
-- Run on each side as a superuser (psql -X -q -At -v ON_ERROR_STOP=1 -f check.sql).
-- base: 1
-- head: ERROR:  permission denied for table projects
BEGIN;
SET LOCAL app.tenant_id = '11111111-1111-1111-1111-111111111111';
SET LOCAL ROLE app_user;
WITH u AS (UPDATE projects SET name = 'Roadmap 2' WHERE name = 'Roadmap' RETURNING 1)
SELECT count(*) FROM u;
ROLLBACK;
