-- projects_select admits every row when no tenant is bound: app.current_tenant_id() IS NULL OR ... (TW108)
-- Run on each side as a superuser (psql -X -q -At -v ON_ERROR_STOP=1 -f check.sql).
-- base: 0
-- head: 4
BEGIN;
SET LOCAL ROLE app_user;
SELECT count(*) FROM projects;
ROLLBACK;

-- support with no tenant bound
-- base: 0
-- head: 4
BEGIN;
SET LOCAL ROLE support;
SELECT count(*) FROM projects;
ROLLBACK;

-- admin with no tenant bound and no admin mode
-- base: 0
-- head: 4
BEGIN;
SET LOCAL ROLE admin;
SELECT count(*) FROM projects;
ROLLBACK;
