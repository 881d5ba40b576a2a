-- a restrictive DELETE policy keeps archived projects
-- Run on each side as a superuser (psql -X -q -At -v ON_ERROR_STOP=1 -f check.sql).
-- base: 1
-- head: 0
BEGIN;
SET LOCAL app.tenant_id = '11111111-1111-1111-1111-111111111111';
SET LOCAL ROLE app_user;
WITH d AS (DELETE FROM projects WHERE status = 'archived' RETURNING 1)
SELECT count(*) FROM d;
ROLLBACK;

-- admin, in tenant acme, deletes acme's archived project
-- base: 1
-- head: 0
BEGIN;
SET LOCAL app.tenant_id = '11111111-1111-1111-1111-111111111111';
SET LOCAL ROLE admin;
WITH d AS (DELETE FROM projects WHERE status = 'archived' RETURNING 1)
SELECT count(*) FROM d;
ROLLBACK;
