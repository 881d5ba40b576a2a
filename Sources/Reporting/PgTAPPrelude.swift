/// What every pgTAP script tenantwall writes (verify's and prove's) starts with: helpers in `pg_temp` (gone with
/// the session) that give the first value of a query, or the rows a statement touched, as text, and
/// "ERR:<SQLSTATE>" when it fails, so a test can assert a refusal; they run as the current role. And a table for
/// values one block hands the next.
public enum PgTAPPrelude {
    public static let helpers = """
        CREATE FUNCTION pg_temp.tw_value(q text) RETURNS text LANGUAGE plpgsql AS $tw$
        DECLARE v text;
        BEGIN
            EXECUTE q INTO v;
            RETURN COALESCE(v, 'NULL');
        EXCEPTION WHEN OTHERS THEN
            RETURN 'ERR:' || SQLSTATE;
        END $tw$;
        CREATE FUNCTION pg_temp.tw_run(q text) RETURNS text LANGUAGE plpgsql AS $tw$
        DECLARE n bigint;
        BEGIN
            EXECUTE q;
            GET DIAGNOSTICS n = ROW_COUNT;
            RETURN n::text;
        EXCEPTION WHEN OTHERS THEN
            RETURN 'ERR:' || SQLSTATE;
        END $tw$;
        CREATE TEMPORARY TABLE tw_r (k text PRIMARY KEY, v text);
        GRANT ALL ON pg_temp.tw_r TO PUBLIC;
        """
}
