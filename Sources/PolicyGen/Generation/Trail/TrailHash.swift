import Quoting

/// The change trail's hash chain, as SQL expressions: one definition, used by the append trigger that writes an
/// entry and by `verify`, which recomputes every tenant's chain with its own query (not with a function stored
/// in the database, which whoever could alter the trail could alter too).
///
/// An entry's hash is `sha256(prev_hash || canonical text)`. The canonical text is a `jsonb` array (whose text
/// form PostgreSQL fixes) of the tenant, seq, time (UTC, microseconds, written by `to_char`, so the session's
/// TimeZone and DateStyle do not change it), acting role, session user, command, table, row key and the hash of
/// the values: the old and new values are covered through `values_hash = sha256([old, new])`, not directly, so
/// that an audited redaction (`trail_redact`) can empty them and leave every hash of the chain as it was; verify
/// checks `values_hash` against the values on every entry that is not redacted.
public enum TrailHash {
    /// The trail table's columns the chain covers, in canonical order (the tenant column comes first, by the spec's name).
    static let fields = ["seq", "at", "acting_role", "session_role", "command", "table_name", "row_key", "values_hash"]

    /// `sha256` of the old and new values (each a jsonb or NULL).
    public static func valuesHash(old: String, new: String) -> String {
        "pg_catalog.sha256(pg_catalog.convert_to(pg_catalog.jsonb_build_array(\(old), \(new))::text, 'UTF8'))"
    }

    /// The canonical text of an entry, its fields read through `field` (e.g. `{ "e." + $0 }`).
    public static func canonicalText(tenantColumn: String, _ field: (String) -> String) -> String {
        let at = "pg_catalog.to_char(\(field("at")) AT TIME ZONE 'UTC', 'YYYY-MM-DD\"T\"HH24:MI:SS.US\"Z\"')"
        return "pg_catalog.jsonb_build_array(\(field(SQL.ident(tenantColumn)))::text, \(field("seq")), \(at), \(field("acting_role"))::text, "
            + "\(field("session_role"))::text, \(field("command")), \(field("table_name")), \(field("row_key")), pg_catalog.encode(\(field("values_hash")), 'hex'))::text"
    }

    /// An entry's hash from the previous entry's hash (NULL for a tenant's first) and its canonical text.
    public static func hash(previous: String, tenantColumn: String, _ field: (String) -> String) -> String {
        "pg_catalog.sha256(COALESCE(\(previous), '\\x'::bytea) OPERATOR(pg_catalog.||) pg_catalog.convert_to(\(canonicalText(tenantColumn: tenantColumn, field)), 'UTF8'))"
    }
}
