-- projects_insert loses its WITH CHECK: PostgreSQL then admits no new row at all, so this narrows (TW107)
-- Run on each side as a superuser (psql -X -q -At -v ON_ERROR_STOP=1 -f check.sql).
-- base: inserted
-- head: ERROR:  new row violates row-level security policy for table "projects"
BEGIN;
SET LOCAL app.tenant_id = '11111111-1111-1111-1111-111111111111';
SET LOCAL ROLE app_user;
INSERT INTO projects (tenant_id, name) VALUES ('11111111-1111-1111-1111-111111111111', 'New');
SELECT 'inserted';
ROLLBACK;

-- admin in admin mode creates a project
-- base: inserted
-- head: ERROR:  new row violates row-level security policy for table "projects"
BEGIN;
SET LOCAL app.admin_mode = 'on';
SET LOCAL ROLE admin;
INSERT INTO projects (tenant_id, name) VALUES ('22222222-2222-2222-2222-222222222222', 'New');
SELECT 'inserted';
ROLLBACK;
