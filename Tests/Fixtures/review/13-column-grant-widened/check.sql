-- support's column grant on documents gains body
-- Run on each side as a superuser (psql -X -q -At -v ON_ERROR_STOP=1 -f check.sql).
-- base: ERROR:  permission denied for table documents
-- head: 1
BEGIN;
SET LOCAL app.tenant_id = '11111111-1111-1111-1111-111111111111';
SET LOCAL ROLE support;
SELECT count(body) FROM documents;
ROLLBACK;
