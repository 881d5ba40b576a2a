import Postgres

/// A function of the database a witness' context may need: a reader to check, a setter to call. Read from
/// `pg_proc` by the runner (the pure recipe works on these values).
public struct ContextFunction: Sendable, Equatable {
    public var schema: String
    public var name: String
    /// `schema.name(types)` as `regprocedure` prints it, the key the solver's `function:` variables use.
    public var identity: String
    public var language: String
    public var body: String
    /// `format_type` of each argument.
    public var argumentTypes: [String]
    /// The extension's native signed setter (`set_signed_context`, in C): the claim path its schema's keys-table
    /// trigger carries (`app_metadata.org_id`), which the C body does not show.
    public var signingClaim: String? = nil

    public init(schema: String, name: String, identity: String, language: String, body: String, argumentTypes: [String]) {
        self.schema = schema
        self.name = name
        self.identity = identity
        self.language = language
        self.body = body
        self.argumentTypes = argumentTypes
    }

    /// Every function outside PostgreSQL's own schemas.
    static func read(_ connection: Connection) throws -> [ContextFunction] {
        let rows = try connection.query("""
            SELECT n.nspname, p.proname, p.oid::regprocedure::text AS identity, l.lanname, coalesce(p.prosrc, ''),
                   coalesce((SELECT string_agg(pg_catalog.format_type(t, NULL), E'\\n' ORDER BY i)
                             FROM unnest(p.proargtypes::oid[]) WITH ORDINALITY AS a(t, i)), ''),
                   CASE WHEN p.proname = 'set_signed_context' THEN
                     (SELECT pg_catalog.encode(t.tgargs, 'escape') FROM pg_catalog.pg_trigger AS t JOIN pg_catalog.pg_class AS c ON c.oid = t.tgrelid
                      WHERE t.tgname = 'tw_signing_keys_changed' AND c.relname = 'signing_keys' AND c.relnamespace = p.pronamespace) END
            FROM pg_catalog.pg_proc AS p
            JOIN pg_catalog.pg_namespace AS n ON n.oid = p.pronamespace
            JOIN pg_catalog.pg_language AS l ON l.oid = p.prolang
            WHERE n.nspname NOT IN ('pg_catalog', 'information_schema') AND n.nspname NOT LIKE 'pg\\_%'
              AND n.nspname NOT LIKE '\\_timescaledb%'
            """).rows
        return rows.map { row in
            let types = row[5] ?? ""
            var function = ContextFunction(schema: row[0] ?? "", name: row[1] ?? "", identity: row[2] ?? "", language: row[3] ?? "",
                                           body: row[4] ?? "", argumentTypes: types.isEmpty ? [] : types.split(separator: "\n").map(String.init))
            // The trigger's arguments, NUL-separated (`\000` in escape form): the scope, then the claim path.
            if let arguments = row[6] {
                let parts = arguments.components(separatedBy: "\\000").filter { !$0.isEmpty }
                if parts.count > 1 { function.signingClaim = parts.dropFirst().joined(separator: ".") }
            }
            return function
        }
    }
}
