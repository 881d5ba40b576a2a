-- projects_select matches the tenant with LIKE setting || '%': an empty or partial setting matches other tenants
-- Run on each side as a superuser (psql -X -q -At -v ON_ERROR_STOP=1 -f check.sql).
-- base: 0
-- head: 4
BEGIN;
SET LOCAL app.tenant_id = '';
SET LOCAL ROLE app_user;
SELECT count(*) FROM projects;
ROLLBACK;

-- support with an empty tenant setting
-- base: 0
-- head: 4
BEGIN;
SET LOCAL app.tenant_id = '';
SET LOCAL ROLE support;
SELECT count(*) FROM projects;
ROLLBACK;

-- admin with an empty tenant setting and no admin mode
-- base: 0
-- head: 4
BEGIN;
SET LOCAL app.tenant_id = '';
SET LOCAL ROLE admin;
SELECT count(*) FROM projects;
ROLLBACK;
