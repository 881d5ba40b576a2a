import PolicyGen
import Postgres

/// The database's own functions that set a custom setting: an old `set_tenant_context()`, a session
/// `enable_admin_mode()`. After tenantwall's policies replace the old ones, such a function keeps doing what it
/// did, which is either the pooling leak (a session-scope tenant) or nothing at all (a flag no policy reads any
/// more). The plan names each with what becomes of it: the spec's `legacy_functions` choice, or the choices to
/// make. Which settings a body writes is read by `SettingWrites`, as `init` reads it.
enum LegacySetters {
    struct Setter {
        var signature: String, settings: [String], session: Bool
    }

    static func read(_ connection: Connection, spec: Spec) throws -> [Setter] {
        try connection.query("""
            SELECT p.oid::regprocedure::text AS signature, p.prosrc AS body
            FROM pg_catalog.pg_proc AS p JOIN pg_catalog.pg_namespace AS n ON n.oid = p.pronamespace
            WHERE n.nspname NOT IN ('pg_catalog', 'information_schema', $1) AND p.prosrc ~* '(set_config|\\mSET\\M)'
              AND NOT EXISTS (SELECT 1 FROM pg_catalog.pg_depend AS e WHERE e.classid = 'pg_catalog.pg_proc'::regclass AND e.objid = p.oid AND e.deptype = 'e')
            ORDER BY 1
            """, [spec.tenancy.helperSchema]).named.compactMap { row in
                let writes = SettingWrites.read(row["body"] ?? "").filter { !$0.setting.hasPrefix("citus.") && !$0.setting.hasPrefix("tenantwall.") }
                guard let signature = row["signature"], !writes.isEmpty else { return nil }
                return Setter(signature: signature, settings: uniqued(writes.map(\.setting)), session: writes.contains { $0.session == true })
            }
    }

    /// One line per setter: what it does today and what becomes of it.
    static func effects(_ setters: [Setter], spec: Spec, readAfter: Set<String>) -> [String] {
        setters.map { setter in
            let named = spec.legacyFunctions.first { normalized($0.signature) == normalized(setter.signature) }
            var line = "\(setter.signature) sets \(setter.settings.joined(separator: ", "))\(setter.session ? " for the whole session" : "")"
            let unread = setter.settings.filter { !readAfter.contains($0) }
            if !unread.isEmpty { line += "; no policy reads \(unread.joined(separator: ", ")) after this change, so what it opened it opens no more" }
            switch named?.action {
            case .replace?: line += ": replaced (legacy_functions) by a shim of the same signature that calls \(spec.tenancy.helperSchema).set_tenant_context(), transaction-scoped"
            case .revoke?: line += ": revoked (legacy_functions) from PUBLIC and the access roles"
            case .keep?: line += ": kept as it is (legacy_functions)" + (setter.session ? ", a tenant set through it outlives the transaction (the pooling leak)" : "")
            case nil: line += "; name it in legacy_functions with an action: replace (a transaction-scoped shim of the same signature), revoke, or keep"
            }
            if spec.tenancy.holdsContext, named?.action != .replace, setter.settings.contains(spec.tenancy.setting) {
                // The held context refuses a write of the setting while a tenant is held (sql/held.c): loud, but
                // a job that called this after set_tenant_context() worked before and fails after.
                line += "; with context_store: backend, a call after set_tenant_context() in the same transaction fails (55000: the tenant is held, the setting is not written by hand)"
            }
            return line
        }
    }

    /// `public.f(uuid)` and `f(uuid)` (what `regprocedure` prints for a function on the search path) compare equal.
    static func normalized(_ signature: String) -> String {
        let text = signature.replacingOccurrences(of: " ", with: "").replacingOccurrences(of: "\"", with: "")
        return text.hasPrefix("public.") ? String(text.dropFirst("public.".count)) : text
    }
}
