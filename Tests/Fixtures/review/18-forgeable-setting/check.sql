-- app.admin_mode_on() no longer checks membership in admin: any session that sets app.admin_mode = 'on' passes (TW124)
-- Run on each side as a superuser (psql -X -q -At -v ON_ERROR_STOP=1 -f check.sql).
-- base: 0
-- head: 3
BEGIN;
SET LOCAL app.admin_mode = 'on';
SET LOCAL ROLE app_user;
SELECT count(*) FROM documents;
ROLLBACK;

-- support with app.admin_mode = 'on'
-- base: 0
-- head: 4
BEGIN;
SET LOCAL app.admin_mode = 'on';
SET LOCAL ROLE support;
SELECT count(*) FROM projects;
ROLLBACK;

-- admin in admin mode: the same on both sides (equivalent)
-- base: 3
-- head: 3
BEGIN;
SET LOCAL app.admin_mode = 'on';
SET LOCAL ROLE admin;
SELECT count(*) FROM documents;
ROLLBACK;
