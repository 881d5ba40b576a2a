-- app.admin_mode_on() no longer checks membership in admin: any session that sets app.admin_mode = 'on' passes (TW124)
-- Run on each side as a superuser (psql -X -q -At -v ON_ERROR_STOP=1 -f check.sql).
-- base: 0
-- head: 3
BEGIN;
SET LOCAL app.admin_mode = 'on';
SET LOCAL ROLE app_user;
SELECT count(*) FROM documents;
ROLLBACK;
