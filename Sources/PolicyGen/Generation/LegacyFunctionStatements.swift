import Quoting
/// What tenantwall does with an adopted database's own setters (`legacy_functions:` in the spec).
///
/// - `replace`: the function is replaced in place by a shim that calls tenantwall's transaction-scoped setter.
///   Its signature, parameter names and result type are read from the catalog when the statement runs (a
///   different parameter name would be refused: "cannot change name of input parameter"), so every existing
///   call keeps working and the context no longer outlives the transaction. A result other than `void` or
///   `text` is refused with the reason: the shim could not return what callers expect.
/// - `revoke`: EXECUTE revoked from PUBLIC and every access role; the function stays for its owner.
/// - `keep`: nothing; `plan` keeps saying what the function does.
///
/// A function the database does not have is reported with a NOTICE and left alone: the spec may name a
/// setter that a later version of the application dropped.
struct LegacyFunctionStatements {
    let spec: Spec

    func statements() -> [Statement] {
        spec.legacyFunctions.compactMap { function -> Statement? in
            guard let parts = function.parts else { return nil }
            let target = Self.lookup(function)
            let key = ObjectKey.legacyFunction(function.signature)
            let signature = SQL.literal(function.signature)
            switch function.action {
            case .keep:
                return nil
            case .revoke:
                let roles = SQL.identList(uniqued(spec.roles.accessRoles + spec.roles.adminMembers))
                return Statement(key, "DO " + SQL.dollarQuoted("""

                    DECLARE
                        f regprocedure := pg_catalog.to_regprocedure(\(SQL.literal(target)));
                    BEGIN
                        IF f IS NULL THEN
                            RAISE NOTICE 'tenantwall: legacy function % does not exist; nothing to revoke', \(signature);
                            RETURN;
                        END IF;
                        EXECUTE pg_catalog.format('REVOKE ALL ON FUNCTION %s FROM PUBLIC, \(roles.replacingOccurrences(of: "'", with: "''").replacingOccurrences(of: "%", with: "%%"))', f);
                    END

                    """), comment: "\(function.signature): revoked from PUBLIC and the access roles (legacy_functions: revoke); it stays for its owner.")
            case .replace:
                let setter = SQL.qualified(spec.tenancy.helperSchema, "set_tenant_context")
                let cast = "$1::" + spec.tenancy.type.rawValue
                let voidBody = " SELECT \(setter)(\(cast)) "
                let textBody = " SELECT \(setter)(\(cast)); SELECT $1::pg_catalog.text "
                return Statement(key, "DO " + SQL.dollarQuoted("""

                    DECLARE
                        f regprocedure := pg_catalog.to_regprocedure(\(SQL.literal(target)));
                        result text;
                    BEGIN
                        IF f IS NULL THEN
                            RAISE NOTICE 'tenantwall: legacy function % does not exist; nothing to replace', \(signature);
                            RETURN;
                        END IF;
                        result := pg_catalog.pg_get_function_result(f);
                        IF result NOT IN ('void', 'text') THEN
                            RAISE EXCEPTION 'tenantwall: legacy function % returns %, which a shim cannot return', \(signature), result
                                USING HINT = 'choose revoke or keep for it in legacy_functions';
                        END IF;
                        EXECUTE pg_catalog.format('CREATE OR REPLACE FUNCTION %s(%s) RETURNS %s LANGUAGE sql VOLATILE SET search_path = pg_catalog, pg_temp AS %L',
                            \(SQL.literal(SQL.qualified(parts.schema, parts.name))), pg_catalog.pg_get_function_arguments(f), result,
                            CASE result WHEN 'void' THEN \(SQL.literal(voidBody)) ELSE \(SQL.literal(textBody)) END);
                    END

                    """), comment: "\(function.signature): replaced by a shim of the same signature that calls \(spec.tenancy.helperSchema).set_tenant_context() (legacy_functions: replace): the context now ends with the transaction.")
            }
        }
    }

    /// The function as `to_regprocedure` finds it: quoted schema and name, argument types as the spec gives them
    /// (checked against the type grammar, so they are safe to pass as they are).
    static func lookup(_ function: LegacyFunction) -> String {
        guard let parts = function.parts else { return function.signature }
        return SQL.qualified(parts.schema, parts.name) + "(" + parts.arguments.map { TypeName.normalize($0) ?? $0 }.joined(separator: ", ") + ")"
    }
}
