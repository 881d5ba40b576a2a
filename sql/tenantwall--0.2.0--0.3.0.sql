-- tenantwall 0.2.0 -> 0.3.0: ensure_partitions() keeps the partitions a table already has.
-- Generated from PolicyGen's HelperCore; `swift run tenantwall extension-sql --upgrade-from 0.2.0` rewrites it.
\echo Use "ALTER EXTENSION tenantwall UPDATE" to load this file. \quit

-- Native range partitions: the current period, `premake` periods ahead, and a default partition. Partitions the
-- table already has, whatever their names (made by hand, by a scheduler, by an older tool), are kept: a period
-- that overlaps one is left to it (42P17), and so is a period whose rows already sit in the default partition
-- (23514), each said in a NOTICE; a default partition is added only when the table has none.
CREATE OR REPLACE FUNCTION @extschema@.ensure_partitions(parent regclass, step interval, premake integer) RETURNS integer
    LANGUAGE plpgsql VOLATILE SET search_path = pg_catalog, pg_temp
    AS $$
DECLARE
    unit text := CASE WHEN step >= interval '1 year' THEN 'year' WHEN step >= interval '1 month' THEN 'month'
                      WHEN step >= interval '7 days' THEN 'week' WHEN step >= interval '1 day' THEN 'day' ELSE 'hour' END;
    label text := CASE unit WHEN 'year' THEN 'YYYY' WHEN 'month' THEN 'YYYYMM' WHEN 'hour' THEN 'YYYYMMDD"h"HH24'
                            ELSE 'YYYYMMDD' END;
    low timestamp := date_trunc(unit, now() AT TIME ZONE 'UTC');
    high timestamp;
    nsp name;
    base text;
    part text;
    made integer := 0;
BEGIN
    SELECT n.nspname, c.relname INTO nsp, base FROM pg_class AS c JOIN pg_namespace AS n ON n.oid = c.relnamespace
    WHERE c.oid = parent;
    -- Partition names must fit in 63 bytes (not characters), or the server truncates them silently.
    WHILE octet_length(base) > 48 LOOP
        base := left(base, -1);
    END LOOP;
    FOR i IN 0..premake LOOP
        high := low + step;
        part := base || '_p' || to_char(low, label);
        IF to_regclass(format('%I.%I', nsp, part)) IS NULL THEN
            BEGIN
                EXECUTE format('CREATE TABLE %I.%I PARTITION OF %s FOR VALUES FROM (%L) TO (%L)', nsp, part, parent,
                               to_char(low, 'YYYY-MM-DD HH24:MI:SS') || '+00', to_char(high, 'YYYY-MM-DD HH24:MI:SS') || '+00');
                PERFORM @extschema@.secure_partition(format('%I.%I', nsp, part)::regclass);
                made := made + 1;
            EXCEPTION
                WHEN invalid_object_definition THEN
                    RAISE NOTICE 'tenantwall: % keeps its own partition for % to %: %', parent, low, high, SQLERRM;
                WHEN check_violation THEN
                    RAISE NOTICE 'tenantwall: % holds rows for % to % in its default partition: %', parent, low, high, SQLERRM;
            END;
        END IF;
        low := high;
    END LOOP;
    IF NOT EXISTS (SELECT 1 FROM pg_inherits AS i JOIN pg_class AS c ON c.oid = i.inhrelid
                   WHERE i.inhparent = parent AND pg_get_expr(c.relpartbound, c.oid) = 'DEFAULT') THEN
        part := base || '_default';
        EXECUTE format('CREATE TABLE %I.%I PARTITION OF %s DEFAULT', nsp, part, parent);
        PERFORM @extschema@.secure_partition(format('%I.%I', nsp, part)::regclass);
        made := made + 1;
    END IF;
    RETURN made;
END
$$;