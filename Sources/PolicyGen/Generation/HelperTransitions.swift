import Quoting
/// Moving a database between inline helpers and the extension, in the apply that changes `helpers:`.
///
/// Inline to extension: `CREATE EXTENSION` refuses to take over functions it did not create, so the inline
/// routines go first, with the objects of tenantwall's own that use them (`tw_*` policies, the partition guard;
/// the same apply re-creates them, since `plan` re-applies the whole spec when the helpers change). They are
/// dropped without CASCADE: anything else that calls them stops the apply, which rolls back. The admin-mode log
/// is carried over row by row. Extension to inline: every member is detached from the extension (so nothing
/// that uses them is touched), the extension dropped, and the inline script replaces the C functions with
/// the SQL ones of the same signatures; the routines only the extension has are dropped, with the keys trigger
/// (the native signed binding's) that calls one.
struct HelperTransitions {
    let schema: String

    var literal: String { SQL.literal(schema) }
    var carry: String { "tenantwall_admin_log_carry" }

    static func array(_ names: [String]) -> String {
        "ARRAY[" + names.map(SQL.literal).joined(separator: ", ") + "]::name[]"
    }

    func adoptInline() -> [Statement] {
        let core = Self.array(HelperCore.coreRoutines)
        let log = SQL.qualified(schema, "admin_mode_log")
        return [Statement(.helpers, "DO " + SQL.dollarQuoted("""

            DECLARE
                helpers oid := (SELECT n.oid FROM pg_catalog.pg_namespace AS n WHERE n.nspname = \(literal));
                dependent record;
                routine regprocedure;
            BEGIN
                IF helpers IS NULL OR EXISTS (SELECT 1 FROM pg_catalog.pg_extension WHERE extname = 'tenantwall') THEN
                    RETURN;
                END IF;
                FOR dependent IN
                    SELECT DISTINCT pol.polname, pol.polrelid::regclass AS rel
                    FROM pg_catalog.pg_depend AS d
                    JOIN pg_catalog.pg_proc AS p ON d.refclassid = 'pg_catalog.pg_proc'::regclass AND p.oid = d.refobjid
                    JOIN pg_catalog.pg_policy AS pol ON d.classid = 'pg_catalog.pg_policy'::regclass AND pol.oid = d.objid
                    WHERE p.pronamespace = helpers AND p.proname = ANY (\(core)) AND pol.polname LIKE 'tw\\_%'
                LOOP
                    EXECUTE pg_catalog.format('DROP POLICY %I ON %s', dependent.polname, dependent.rel);
                END LOOP;
                FOR dependent IN
                    SELECT e.evtname FROM pg_catalog.pg_event_trigger AS e JOIN pg_catalog.pg_proc AS p ON p.oid = e.evtfoid
                    WHERE p.pronamespace = helpers AND p.proname = ANY (\(core))
                LOOP
                    EXECUTE pg_catalog.format('DROP EVENT TRIGGER %I', dependent.evtname);
                END LOOP;
                IF pg_catalog.to_regclass(\(SQL.literal(log))) IS NOT NULL THEN
                    CREATE TEMPORARY TABLE \(carry) ON COMMIT DROP AS SELECT * FROM \(log);
                    DROP TABLE \(log);
                END IF;
                FOR routine IN
                    SELECT p.oid::regprocedure FROM pg_catalog.pg_proc AS p WHERE p.pronamespace = helpers AND p.proname = ANY (\(core))
                LOOP
                    EXECUTE pg_catalog.format('DROP ROUTINE %s', routine);
                END LOOP;
            END

            """), comment: "Inline helpers give way to the extension (nothing happens when there are none).")]
    }

    func carryAdminLog() -> [Statement] {
        let log = SQL.qualified(schema, "admin_mode_log")
        let columns = "token, actor, session_role, backend_pid, enabled_at, reason"
        return [Statement(.helpers, "DO " + SQL.dollarQuoted("""

            BEGIN
                IF pg_catalog.to_regclass('pg_temp.\(carry)') IS NOT NULL THEN
                    INSERT INTO \(log) (\(columns)) SELECT \(columns) FROM pg_temp.\(carry);
                    DROP TABLE pg_temp.\(carry);
                END IF;
            END

            """), comment: "The inline helpers' admin-mode log, kept.")]
    }

    func leaveExtension() -> [Statement] {
        [Statement(.helpers, "DO " + SQL.dollarQuoted("""

            DECLARE
                ext oid := (SELECT e.oid FROM pg_catalog.pg_extension AS e JOIN pg_catalog.pg_namespace AS n ON n.oid = e.extnamespace
                            WHERE e.extname = 'tenantwall' AND n.nspname = \(literal));
                member record;
                routine regprocedure;
            BEGIN
                IF ext IS NULL THEN
                    RETURN;
                END IF;
                FOR member IN
                    SELECT d.classid, d.objid, CASE WHEN d.classid = 'pg_catalog.pg_proc'::regclass THEN 'ROUTINE ' || d.objid::regprocedure::text
                                                    ELSE o.type || ' ' || o.identity END AS object
                    FROM pg_catalog.pg_depend AS d CROSS JOIN LATERAL pg_catalog.pg_identify_object(d.classid, d.objid, 0) AS o
                    WHERE d.refclassid = 'pg_catalog.pg_extension'::regclass AND d.refobjid = ext AND d.deptype = 'e'
                    ORDER BY d.classid = 'pg_catalog.pg_type'::regclass
                LOOP
                    -- Detaching a table detaches its row types too (PostgreSQL 17+ lists them as members, and
                    -- refuses to detach them on their own): tables first, then what is still a member.
                    IF EXISTS (SELECT 1 FROM pg_catalog.pg_depend AS d WHERE d.classid = member.classid AND d.objid = member.objid
                               AND d.refobjid = ext AND d.deptype = 'e') THEN
                        EXECUTE 'ALTER EXTENSION tenantwall DROP ' || member.object;
                    END IF;
                END LOOP;
                DROP EXTENSION tenantwall;
                -- The signed binding's keys trigger calls a routine only the extension has: it goes with it.
                FOR member IN
                    SELECT t.tgname, t.tgrelid::regclass AS rel FROM pg_catalog.pg_trigger AS t
                    JOIN pg_catalog.pg_proc AS p ON p.oid = t.tgfoid JOIN pg_catalog.pg_namespace AS n ON n.oid = p.pronamespace
                    WHERE n.nspname = \(literal) AND p.proname = ANY (\(Self.array(HelperCore.nativeOnlyRoutines)))
                LOOP
                    EXECUTE pg_catalog.format('DROP TRIGGER %I ON %s', member.tgname, member.rel);
                END LOOP;
                FOR routine IN
                    SELECT p.oid::regprocedure FROM pg_catalog.pg_proc AS p JOIN pg_catalog.pg_namespace AS n ON n.oid = p.pronamespace
                    WHERE n.nspname = \(literal) AND p.proname = ANY (\(Self.array(HelperCore.nativeOnlyRoutines)))
                LOOP
                    EXECUTE pg_catalog.format('DROP ROUTINE %s', routine);
                END LOOP;
            END

            """), comment: "The extension gives way to inline helpers: its objects are kept, detached (nothing happens without it).")]
    }
}
