import PolicyGen
import Postgres
import Quoting

/// Plan's fingerprint of the change trail (`audit_trail:`), read straight from the catalog: the trail role, its
/// schema, the trail table (owner, ACL, RLS flags, columns, policies, triggers), the trail's functions and the
/// `tw_change_trail` trigger on each of the spec's tables. Read before the generated SQL and inside its rolled-back
/// transaction, like the rest of plan, under one key ("change trail"): a database that holds the trail as
/// generated shows no drift; a dropped trigger or a hand-edited policy does. Only for specs with a trail.
enum TrailFingerprint {
    static let key = "change trail"

    static func read(_ connection: Connection, spec: Spec) throws -> [String: String] {
        guard spec.hasTrail else { return [:] }
        let names = TrailNames(spec: spec)
        let relations = spec.tables.map { t -> String in
            let storage = t.storage(tenancy: spec.tenancy)
            return storage.schema + "." + storage.name
        }
        let text = try connection.query("""
            WITH rel AS (SELECT c.oid FROM pg_catalog.pg_class AS c JOIN pg_catalog.pg_namespace AS n ON n.oid = c.relnamespace
                         WHERE n.nspname = $1 AND c.relname = 'change_trail')
            SELECT concat_ws(E'\\n',
                (SELECT 'role ' || rolname || ' login=' || rolcanlogin || ' super=' || rolsuper || ' bypassrls=' || rolbypassrls
                 FROM pg_catalog.pg_roles WHERE rolname = $2),
                (SELECT 'schema owner=' || pg_catalog.pg_get_userbyid(nspowner) || ' acl=' || coalesce(nspacl::text, '') FROM pg_catalog.pg_namespace WHERE nspname = $1),
                (SELECT 'table owner=' || pg_catalog.pg_get_userbyid(c.relowner) || ' acl=' || coalesce(c.relacl::text, '') || ' rls=' || c.relrowsecurity || ' forced=' || c.relforcerowsecurity
                 FROM pg_catalog.pg_class AS c WHERE c.oid = (SELECT oid FROM rel)),
                (SELECT string_agg('column ' || attname || ' ' || pg_catalog.format_type(atttypid, atttypmod) || CASE WHEN attnotnull THEN ' not null' ELSE '' END, E'\\n' ORDER BY attnum)
                 FROM pg_catalog.pg_attribute WHERE attrelid = (SELECT oid FROM rel) AND attnum > 0 AND NOT attisdropped),
                (SELECT string_agg('policy ' || polname || ' ' || polcmd::text || ' ' || polpermissive || ' to ' || polroles::regrole[]::text
                                   || ' using ' || coalesce(pg_catalog.pg_get_expr(polqual, polrelid), '') || ' check ' || coalesce(pg_catalog.pg_get_expr(polwithcheck, polrelid), ''),
                                   E'\\n' ORDER BY polname)
                 FROM pg_catalog.pg_policy WHERE polrelid = (SELECT oid FROM rel)),
                (SELECT string_agg(pg_catalog.pg_get_triggerdef(t.oid) || CASE WHEN t.tgenabled = 'O' THEN '' ELSE ' (enabled=' || t.tgenabled::text || ')' END, E'\\n' ORDER BY t.tgname, t.tgrelid::regclass::text)
                 FROM pg_catalog.pg_trigger AS t JOIN pg_catalog.pg_class AS c ON c.oid = t.tgrelid JOIN pg_catalog.pg_namespace AS n ON n.oid = c.relnamespace
                 WHERE NOT t.tgisinternal AND (t.tgrelid = (SELECT oid FROM rel) OR (t.tgname = $4 AND n.nspname || '.' || c.relname = ANY ($3::text[])))),
                (SELECT string_agg(pg_catalog.pg_get_functiondef(p.oid) || 'owner=' || pg_catalog.pg_get_userbyid(p.proowner) || ' acl=' || coalesce(p.proacl::text, ''), E'\\n' ORDER BY p.proname)
                 FROM pg_catalog.pg_proc AS p JOIN pg_catalog.pg_namespace AS n ON n.oid = p.pronamespace WHERE n.nspname = $1))
            """, [names.schema, names.role, SQL.textArray(relations), TrailNames.trigger]).scalar ?? ""
        return [key: text]
    }
}
