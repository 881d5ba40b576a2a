import Quoting
/// Installs the helper functions (as the extension or inline) and the spec-specific wrappers:
/// `current_tenant_id()`, `set_tenant_context()`, `clear_tenant_context()`, typed for the spec's tenant type
/// and bound to its setting name, plus who may use admin mode.
struct HelperStatements {
    let spec: Spec

    var schema: String { spec.tenancy.helperSchema }
    func fn(_ name: String) -> String { SQL.qualified(schema, name) }

    func statements() -> [Statement] {
        let t = spec.tenancy, r = spec.roles
        var out: [Statement] = []
        switch t.helpers {
        case .extension:
            out += HelperTransitions(schema: schema).adoptInline()
            out.append(Statement(.helpers, "CREATE EXTENSION IF NOT EXISTS tenantwall WITH SCHEMA \(SQL.ident(schema)) VERSION \(SQL.literal(HelperCore.version))",
                                 comment: "Helper functions from the tenantwall extension (sql/ in the tenantwall repository), with its native (C) readers."))
            out.append(Statement(.helpers, "ALTER EXTENSION tenantwall UPDATE TO \(SQL.literal(HelperCore.version))",
                                 comment: "A database on an older version (\(HelperCore.previousVersions.joined(separator: ", "))) moves to \(HelperCore.version)."))
            out += HelperTransitions(schema: schema).carryAdminLog()
        case .inline:
            out += HelperTransitions(schema: schema).leaveExtension()
            out.append(Statement(.helpers, HelperCore.inline(schema: schema).trimmingTrailingNewlinesAndSemicolon(),
                                 comment: "Helper functions, inlined: the SQL core of the tenantwall extension \(HelperCore.version), without its native readers."))
        }
        if t.scope == .session {
            out.append(Statement(.helpers, "GRANT EXECUTE ON FUNCTION \(fn("set_context_session"))(text, text) TO \(SQL.identList(uniqued(r.accessRoles)))",
                                 comment: "tenancy.scope: session: the access roles may keep a context for the whole session."))
        }
        switch t.binding {
        case .signed: out += t.nativeReader ? SignedContextStatements(spec: spec).nativeStatements() : SignedContextStatements(spec: spec).statements()
        case .role: out += RoleBindingStatements(spec: spec).statements()
        case .context: out += contextStatements()
        }
        if t.missingContext == .error { out += missingContextStatements() }
        if r.hasAdmin {
            out.append(Statement(.helpers, "GRANT EXECUTE ON FUNCTION \(fn("enable_admin_mode"))(text) TO \(SQL.ident(r.admin))",
                                 comment: "Only members of \(r.admin) may enable admin mode."))
        }
        out.append(Statement(.helpers, """
            CREATE TABLE IF NOT EXISTS \(fn("tenant_events")) (
                id bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
                action text NOT NULL,
                tenant text NOT NULL,
                actor name NOT NULL DEFAULT SESSION_USER,
                at timestamptz NOT NULL DEFAULT now(),
                details jsonb
            )
            """, comment: "Every `tenantwall tenant add/remove`, recorded. Owner only."))
        out.append(Statement(.helpers, "REVOKE ALL ON TABLE \(fn("tenant_events")) FROM PUBLIC"))
        guard r.hasAdmin else { return out }
        let log = fn("admin_mode_log")
        out.append(Statement(.helpers, "GRANT SELECT, INSERT ON TABLE \(log) TO \(SQL.ident(r.admin))"))
        let own = "actor OPERATOR(pg_catalog.=) CURRENT_USER AND backend_pid OPERATOR(pg_catalog.=) pg_catalog.pg_backend_pid()"
        out.append(Statement(.helpers, "DROP POLICY IF EXISTS tw_admin_log_own ON \(log)"))
        out.append(Statement(.helpers, "CREATE POLICY tw_admin_log_own ON \(log) AS PERMISSIVE FOR ALL TO \(SQL.ident(r.admin))\n    USING (\(own))\n    WITH CHECK (\(own))",
                             comment: "An admin session sees and writes only its own log rows; the owner reads them all."))
        return out
    }

    /// The `context` binding: typed wrappers around the setting.
    /// Citus: the setter's line that makes a fanned-out statement of the tenant's transaction visible (a
    /// WARNING) or fail; nothing for `fan_out: allow`.
    func fanOutGuard(_ fanOut: FanOut) -> String {
        fanOut == .allow ? "" : "\n    SET LOCAL citus.multi_task_query_log_level = \(SQL.literal(fanOut.rawValue));"
    }

    func contextStatements() -> [Statement] {
        let t = spec.tenancy
        var out: [Statement] = []
        let type = t.type.rawValue
        let setting = SQL.literal(t.setting)
        let setter = t.scope.setter
        if t.citus {
            out.append(Statement(.helpers, CitusStatements.reader(t),
                                 comment: "The session's tenant, or NULL (unset or empty): policies then match no row. PL/pgSQL on Citus: called once per shard query, not inlined (re-read) at every plan of one."))
        } else {
        out.append(Statement(.helpers, """
            CREATE OR REPLACE FUNCTION \(fn("current_tenant_id"))() RETURNS \(type)
                LANGUAGE sql STABLE PARALLEL SAFE
                AS \(SQL.dollarQuoted(" SELECT \(t.contextReaderCall) "))
            """, comment: "The session's tenant, or NULL (unset, empty or malformed): policies then match no row."))
        }
        if t.citus {
            // Only SET LOCAL, with citus.propagate_set_commands = 'local', reaches the shards: set_config() and a
            // session SET stay on the coordinator, and the workers would see no tenant (zero rows, no error).
            let name = t.setting.split(separator: ".").map { SQL.ident(String($0)) }.joined(separator: ".")
            out.append(Statement(.helpers, """
                CREATE OR REPLACE FUNCTION \(fn("set_tenant_context"))(tenant \(type)) RETURNS void
                    LANGUAGE plpgsql VOLATILE
                    AS \(SQL.dollarQuoted("""

                BEGIN
                    IF tenant IS NULL THEN
                        RAISE EXCEPTION 'tenantwall: a tenant id is required' USING ERRCODE = '22004',
                            HINT = 'call clear_tenant_context() to clear the context';
                    END IF;
                    SET LOCAL citus.propagate_set_commands = 'local';
                    EXECUTE pg_catalog.format('SET LOCAL \(name) = %L', tenant::pg_catalog.text);\(fanOutGuard(t.fanOut))
                END

                """))
                """, comment: "Citus: SET LOCAL, propagated to the workers for this transaction (a transaction-local context, as everywhere)."
                    + (t.fanOut == .allow ? "" : " A statement of the tenant's transaction that runs on more than one shard \(t.fanOut == .error ? "fails" : "raises a WARNING") (tenancy.fan_out).")))
        } else {
        // With the extension, a transaction-local uuid, bigint or integer tenant goes to its typed setter: no
        // cast to text in the statement, no parse back in the readers.
        let call = t.holdsContext ? "\(fn(HelperCore.heldSetter(t.type)))(\(setting), tenant)"
            : t.helpers == .extension && t.scope == .transaction ? HelperCore.typedSetter(t.type).map { "\(fn($0))(\(setting), tenant)" } : nil
        out.append(Statement(.helpers, """
            CREATE OR REPLACE FUNCTION \(fn("set_tenant_context"))(tenant \(type)) RETURNS void
                LANGUAGE sql VOLATILE
                AS \(SQL.dollarQuoted(" SELECT \(call ?? "\(fn(setter))(\(setting), tenant::pg_catalog.text)") "))
            """, comment: t.holdsContext
                ? "Held in the backend for the transaction (tenancy.context_store: backend): shown by the setting, never written into it; it ends with the transaction, so a pooled connection never carries it on."
                : t.scope == .transaction
                ? "Transaction-local: the context ends with the transaction, so a pooled connection never carries it on."
                : "Session-scoped (tenancy.scope: session): the context outlives the transaction. Unsafe behind a transaction pooler."))
        }
        out.append(Statement(.helpers, """
            CREATE OR REPLACE FUNCTION \(fn("clear_tenant_context"))() RETURNS void
                LANGUAGE sql VOLATILE
                AS \(SQL.dollarQuoted(t.holdsContext ? " SELECT \(fn("release_context"))(\(setting)) " : " SELECT pg_catalog.set_config(\(setting), '', false) "))
            """))
        return out
    }
}

extension HelperStatements {
    /// `tenancy.missing_context: error`: the policies read the tenant through `required_tenant_id(table)`, which
    /// is `COALESCE(current_tenant_id(), missing_tenant_context(table))`. The reader is unchanged and the
    /// wrapper is plain SQL (on Citus PL/pgSQL, as the reader there: CitusStatements.reader says why), so the
    /// planner inlines it (around the native C reader too: no change to the
    /// extension) and the comparison stays an index condition; the raising function runs only when the context
    /// is missing. The admin role is exempt: admin mode has no tenant, and asking `admin_mode_enabled()` here
    /// would make the reader PARALLEL RESTRICTED for everyone. Only roles a tenant policy applies to ever reach
    /// it (the owner's `tw_owner_all` and superusers never evaluate tenant policies).
    ///
    /// On Citus the workers evaluate the shards' policies: Citus creates both functions on every worker, as it
    /// does the other helpers, the setter's `SET LOCAL` reaches them, and a worker's backend runs as the
    /// session's current role, so the error (and the admin role's exemption) is the same there; the coordinator
    /// re-raises it with its SQLSTATE, message and hint. A context set with `set_config()`, which stays on the
    /// coordinator, is loud there too. The raising function asks for the context itself because the coordinator
    /// evaluates each STABLE call of a write's `WITH CHECK` (and of some reads' quals) on its own, outside the
    /// `COALESCE` (checked on Citus 13.0.5: a tenant's INSERT with its context failed): with a context it
    /// returns NULL, so that evaluation changes nothing.
    func missingContextStatements() -> [Statement] {
        let t = spec.tenancy, r = spec.roles, type = t.type.rawValue
        let exempt = r.hasAdmin ? "NOT pg_catalog.pg_has_role(CURRENT_USER, \(SQL.literal(r.admin)), 'USAGE')" : "true"
        // A message for people: the schema as written in the spec, not as an identifier.
        let setter = "\(schema).set_tenant_context(\(t.binding == .signed ? "token" : "tenant"))"
        // The signed binding's SQL reader verifies a token in plpgsql and is PARALLEL UNSAFE; the wrapper says
        // the same, so that it never claims more than what it calls.
        let parallel = t.binding == .signed && !t.nativeReader ? "PARALLEL UNSAFE" : "PARALLEL SAFE"
        return [
            Statement(.helpers, """
                CREATE OR REPLACE FUNCTION \(fn("missing_tenant_context"))(relation text) RETURNS \(type)
                    LANGUAGE plpgsql STABLE \(parallel)
                    AS \(SQL.dollarQuoted("""

                BEGIN
                    IF \(fn("current_tenant_id"))() IS NULL AND \(exempt) THEN
                        RAISE EXCEPTION 'tenantwall: no tenant context for role % on %', CURRENT_USER, relation
                            USING ERRCODE = \(SQL.literal(MissingContext.sqlState)),
                                  HINT = \(SQL.literal("call \(setter) in each transaction before touching tenant tables (tenancy.missing_context: error)"));
                    END IF;
                    RETURN NULL;
                END

                """))
                """, comment: "tenancy.missing_context: error: a tenant statement without a context fails (\(MissingContext.sqlState)), naming the role, the table and the setter."),
            Statement(.helpers, t.citus ? CitusStatements.requiredReader(t, parallel: parallel) : """
                CREATE OR REPLACE FUNCTION \(fn("required_tenant_id"))(relation text) RETURNS \(type)
                    LANGUAGE sql STABLE \(parallel)
                    AS \(SQL.dollarQuoted(" SELECT COALESCE(\(fn("current_tenant_id"))(), \(fn("missing_tenant_context"))(relation)) "))
                """, comment: "The tenant policies' reader: the session's tenant, or the error above."),
        ]
    }
}

extension String {
    /// Generated statements are rendered with their own terminator.
    func trimmingTrailingNewlinesAndSemicolon() -> String {
        var s = self
        while let last = s.last, last == "\n" || last == ";" { s.removeLast() }
        return s
    }
}

extension ContextScope {
    /// The context writer for this scope: only the spec's scope is executable by the access roles.
    var setter: String { self == .transaction ? "set_context" : "set_context_session" }
}
