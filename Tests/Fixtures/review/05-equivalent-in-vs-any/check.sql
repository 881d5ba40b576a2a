-- projects_select hides archived projects with status = 'active' OR status = 'paused' (base) and status IN ('active', 'paused') (head, stored as = ANY (ARRAY[...]))
-- Run on each side as a superuser (psql -X -q -At -v ON_ERROR_STOP=1 -f check.sql).
-- base: 1
-- head: 1
BEGIN;
SET LOCAL app.tenant_id = '11111111-1111-1111-1111-111111111111';
SET LOCAL ROLE app_user;
SELECT count(*) FROM projects;
ROLLBACK;

-- support, in tenant acme: the same on both sides
-- base: 1
-- head: 1
BEGIN;
SET LOCAL app.tenant_id = '11111111-1111-1111-1111-111111111111';
SET LOCAL ROLE support;
SELECT count(*) FROM projects;
ROLLBACK;

-- admin, in tenant acme: the same on both sides
-- base: 1
-- head: 1
BEGIN;
SET LOCAL app.tenant_id = '11111111-1111-1111-1111-111111111111';
SET LOCAL ROLE admin;
SELECT count(*) FROM projects;
ROLLBACK;
