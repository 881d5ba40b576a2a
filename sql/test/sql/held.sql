-- pg_regress tests for the held context (0.6.0, sql/held.c): what hold_context_*() holds is what the readers,
-- current_setting() and SHOW see, for exactly as long as SET LOCAL would last, in parallel workers too; while
-- it is held, nothing else writes the setting.
CREATE SCHEMA tw;
CREATE EXTENSION tenantwall WITH SCHEMA tw;
CREATE FUNCTION public.held_seen() RETURNS text LANGUAGE sql AS $$
    SELECT coalesce(tw.context_uuid('app.held')::text, 'NULL') || ' / ' || current_setting('app.held', true)
$$;

-- Held for the transaction, shown by the setting, which is not written; gone at COMMIT and at an error.
SELECT tw.hold_context_uuid('app.held', '00000000-0000-4000-8000-0000000000a1');
SELECT public.held_seen() AS autocommit_ended_it;
BEGIN;
SELECT tw.hold_context_uuid('app.held', '00000000-0000-4000-8000-0000000000A1');
SELECT public.held_seen() AS held;
SHOW app.held;
SELECT setting, source FROM pg_settings WHERE name = 'app.held';
COMMIT;
SELECT public.held_seen() AS after_commit;
BEGIN;
SELECT tw.hold_context_uuid('app.held', '00000000-0000-4000-8000-0000000000a1');
SELECT 1 / 0;
ROLLBACK;
SELECT public.held_seen() AS after_error;

-- Savepoints: ROLLBACK TO undoes what was held after it, RELEASE keeps it, as with SET LOCAL.
BEGIN;
SELECT tw.hold_context_uuid('app.held', '00000000-0000-4000-8000-0000000000a1');
SAVEPOINT s1;
SELECT tw.hold_context_uuid('app.held', '00000000-0000-4000-8000-0000000000b2');
SAVEPOINT s2;
SELECT tw.hold_context_uuid('app.held', '00000000-0000-4000-8000-0000000000c3');
SELECT public.held_seen() AS inner_most;
ROLLBACK TO s2;
SELECT public.held_seen() AS back_to_b2;
ROLLBACK TO s1;
SELECT public.held_seen() AS back_to_a1;
SAVEPOINT s3;
SELECT tw.hold_context_uuid('app.held', '00000000-0000-4000-8000-0000000000d4');
RELEASE s3;
SELECT public.held_seen() AS released_keeps_d4;
ROLLBACK TO s1;
SELECT public.held_seen() AS s1_undoes_the_released_one;
COMMIT;

-- A PL/pgSQL block's exception undoes what the block held.
CREATE FUNCTION public.held_in_block(fail boolean) RETURNS text LANGUAGE plpgsql AS $$
BEGIN
    BEGIN
        PERFORM tw.hold_context_uuid('app.held', '00000000-0000-4000-8000-0000000000e5');
        IF fail THEN RAISE EXCEPTION 'undo'; END IF;
    EXCEPTION WHEN raise_exception THEN NULL;
    END;
    RETURN public.held_seen();
END $$;
BEGIN;
SELECT tw.hold_context_uuid('app.held', '00000000-0000-4000-8000-0000000000a1');
SELECT public.held_in_block(true) AS block_failed;
SELECT public.held_in_block(false) AS block_succeeded;
COMMIT;

-- While a value is held, the setting is not written by hand: SET, SET LOCAL, set_config() and a function's
-- SET clause are refused, loudly. Before any value is held, they work as ever, and a held value overrides.
CREATE FUNCTION public.held_with_set_clause() RETURNS text LANGUAGE sql SET app.held = '' AS $$ SELECT public.held_seen() $$;
BEGIN;
SELECT tw.hold_context_uuid('app.held', '00000000-0000-4000-8000-0000000000a1');
SET LOCAL app.held = '00000000-0000-4000-8000-0000000000b2';
ROLLBACK;
BEGIN;
SELECT tw.hold_context_uuid('app.held', '00000000-0000-4000-8000-0000000000a1');
SELECT set_config('app.held', '00000000-0000-4000-8000-0000000000b2', true);
ROLLBACK;
BEGIN;
SELECT tw.hold_context_uuid('app.held', '00000000-0000-4000-8000-0000000000a1');
SELECT public.held_with_set_clause();
ROLLBACK;
SELECT public.held_with_set_clause() AS set_clause_without_a_held_value;
BEGIN;
SET LOCAL app.held = '00000000-0000-4000-8000-0000000000b2';
SELECT public.held_seen() AS set_by_hand;
SELECT tw.hold_context_uuid('app.held', '00000000-0000-4000-8000-0000000000a1');
SELECT public.held_seen() AS held_overrides;
COMMIT;
SELECT public.held_seen() AS both_gone;

-- A function whose SET clause names the setting undoes, at its exit, what was held inside it (as it undoes a
-- SET LOCAL inside it): the setting's own value shows again.
CREATE FUNCTION public.held_inside_set_clause() RETURNS text LANGUAGE plpgsql SET app.held = '' AS $$
BEGIN
    PERFORM tw.hold_context_uuid('app.held', '00000000-0000-4000-8000-0000000000f6');
    RETURN public.held_seen();
END $$;
BEGIN;
SELECT public.held_inside_set_clause() AS inside;
SELECT public.held_seen() AS after_exit;
COMMIT;

-- RESET, set_config(name, NULL) and RESET ALL clear the held value at their level; ROLLBACK TO brings it back.
BEGIN;
SELECT tw.hold_context_uuid('app.held', '00000000-0000-4000-8000-0000000000a1');
SAVEPOINT s;
RESET app.held;
SELECT public.held_seen() AS reset;
ROLLBACK TO s;
SELECT public.held_seen() AS reset_rolled_back;
SELECT set_config('app.held', NULL, true) AS set_config_null;
SELECT public.held_seen() AS set_config_null_cleared;
SELECT tw.hold_context_uuid('app.held', '00000000-0000-4000-8000-0000000000b2');
RESET ALL;
SELECT public.held_seen() AS reset_all;
COMMIT;

-- release_context() (what clear_tenant_context() calls) clears it; a new value may be held after it.
BEGIN;
SELECT tw.hold_context_uuid('app.held', '00000000-0000-4000-8000-0000000000a1');
SELECT tw.release_context('app.held');
SELECT public.held_seen() AS released;
SELECT tw.hold_context_uuid('app.held', '00000000-0000-4000-8000-0000000000b2');
SELECT public.held_seen() AS held_again;
COMMIT;

-- What runs at COMMIT still sees the held tenant: a deferred trigger, and a cursor WITH HOLD, which is
-- materialized then.
CREATE TABLE public.held_log (seen text NOT NULL);
CREATE FUNCTION public.held_log_seen() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    INSERT INTO public.held_log VALUES ('at commit: ' || public.held_seen());
    RETURN NULL;
END $$;
CREATE CONSTRAINT TRIGGER held_at_commit AFTER INSERT ON public.held_log DEFERRABLE INITIALLY DEFERRED
    FOR EACH ROW WHEN (NEW.seen = 'insert') EXECUTE FUNCTION public.held_log_seen();
BEGIN;
SELECT tw.hold_context_uuid('app.held', '00000000-0000-4000-8000-0000000000a1');
INSERT INTO public.held_log VALUES ('insert');
DECLARE held_cursor CURSOR WITH HOLD FOR SELECT public.held_seen() AS materialized_at_commit;
COMMIT;
FETCH ALL FROM held_cursor;
CLOSE held_cursor;
SELECT seen FROM public.held_log ORDER BY seen;
DROP TABLE public.held_log;
DROP FUNCTION public.held_log_seen();

-- The typed twins hold exactly the text the type's output writes; NULL and '' are refused, and so are names
-- that cannot have hooks.
BEGIN;
SELECT tw.hold_context_bigint('app.held', -9223372036854775808);
SELECT current_setting('app.held') AS bigint_text, tw.context_bigint('app.held') AS bigint_read;
SELECT tw.hold_context_integer('app.held', 2147483647);
SELECT current_setting('app.held') AS integer_text, tw.context_integer('app.held') AS integer_read;
SELECT tw.hold_context('app.held', 'acme');
SELECT current_setting('app.held') AS text_text, tw.context_text('app.held') AS text_read;
COMMIT;
SELECT tw.hold_context_uuid('app.held', NULL);
SELECT tw.hold_context('app.held', '');
SELECT tw.hold_context_uuid('nodot', '00000000-0000-4000-8000-0000000000a1');
SELECT tw.hold_context_uuid('tenantwall.held', '00000000-0000-4000-8000-0000000000a1');

-- Parallel workers receive the held value: the policies (the native reader, and a hand-written one reading
-- current_setting()) admit the tenant's rows in workers that scan alone (the leader does not participate).
CREATE TABLE public.held_items (tenant_id uuid NOT NULL, n integer NOT NULL);
INSERT INTO public.held_items
    SELECT CASE WHEN i % 4 = 0 THEN '00000000-0000-4000-8000-0000000000a1'::uuid
                ELSE '00000000-0000-4000-8000-0000000000b2'::uuid END, i
    FROM generate_series(1, 4000) AS i;
CREATE TABLE public.held_notes AS SELECT * FROM public.held_items;
ANALYZE public.held_items, public.held_notes;
ALTER TABLE public.held_items ENABLE ROW LEVEL SECURITY, FORCE ROW LEVEL SECURITY;
ALTER TABLE public.held_notes ENABLE ROW LEVEL SECURITY, FORCE ROW LEVEL SECURITY;
CREATE POLICY native ON public.held_items USING (tenant_id = tw.context_uuid('app.held'));
CREATE POLICY by_hand ON public.held_notes USING (tenant_id = current_setting('app.held', true)::uuid);
CREATE ROLE tw_held_app NOLOGIN;
GRANT USAGE ON SCHEMA tw TO tw_held_app;
GRANT SELECT ON public.held_items, public.held_notes TO tw_held_app;
-- Counts the table's rows in parallel workers only: the count, and how many workers were launched.
CREATE FUNCTION public.held_parallel_count(tbl text) RETURNS text LANGUAGE plpgsql AS $$
DECLARE plan json; n bigint;
BEGIN
    EXECUTE format('SELECT count(*) FROM public.%I', tbl) INTO n;
    EXECUTE format('EXPLAIN (ANALYZE, FORMAT JSON, COSTS OFF, TIMING OFF) SELECT count(*) FROM public.%I', tbl) INTO plan;
    RETURN format('%s rows, workers launched: %s', n,
                  coalesce(plan -> 0 -> 'Plan' -> 'Plans' -> 0 ->> 'Workers Launched', 'none'));
END $$;
BEGIN;
SET LOCAL parallel_setup_cost = 0;
SET LOCAL parallel_tuple_cost = 0;
SET LOCAL min_parallel_table_scan_size = 0;
SET LOCAL max_parallel_workers_per_gather = 2;
SET LOCAL parallel_leader_participation = off;
SET LOCAL ROLE tw_held_app;
SELECT tw.hold_context_uuid('app.held', '00000000-0000-4000-8000-0000000000a1');
SELECT public.held_parallel_count('held_items') AS native_reader_in_workers;
SELECT public.held_parallel_count('held_notes') AS current_setting_in_workers;
SAVEPOINT s;
SELECT tw.hold_context_uuid('app.held', '00000000-0000-4000-8000-0000000000b2');
SELECT public.held_parallel_count('held_items') AS other_tenant_in_workers;
ROLLBACK TO s;
SELECT public.held_parallel_count('held_notes') AS first_tenant_again;
SELECT tw.release_context('app.held');
SELECT public.held_parallel_count('held_items') AS released_in_workers;
COMMIT;
SELECT public.held_seen() AS after_parallel;

DROP TABLE public.held_items, public.held_notes;
REVOKE ALL ON SCHEMA tw FROM tw_held_app;
DROP ROLE tw_held_app;
DROP FUNCTION public.held_parallel_count(text), public.held_inside_set_clause(), public.held_with_set_clause(),
    public.held_in_block(boolean), public.held_seen();
DROP EXTENSION tenantwall;
DROP SCHEMA tw;
