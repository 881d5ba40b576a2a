-- the restrictive policy that keeps archived projects read-only is dropped (TW509)
-- Run on each side as a superuser (psql -X -q -At -v ON_ERROR_STOP=1 -f check.sql).
-- base: 0
-- head: 1
BEGIN;
SET LOCAL app.tenant_id = '11111111-1111-1111-1111-111111111111';
SET LOCAL ROLE app_user;
WITH u AS (UPDATE projects SET name = 'Old site v2' WHERE status = 'archived' RETURNING 1)
SELECT count(*) FROM u;
ROLLBACK;

-- admin, in tenant acme without admin mode, updates acme's archived project
-- base: 0
-- head: 1
BEGIN;
SET LOCAL app.tenant_id = '11111111-1111-1111-1111-111111111111';
SET LOCAL ROLE admin;
WITH u AS (UPDATE projects SET name = 'Old site v2' WHERE status = 'archived' RETURNING 1)
SELECT count(*) FROM u;
ROLLBACK;
