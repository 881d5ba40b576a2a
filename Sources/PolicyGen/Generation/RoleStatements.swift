import Quoting
/// Creates the spec's roles when missing, as NOLOGIN and never BYPASSRLS, and grants admin membership.
/// Existing roles are left as they are (their attributes are the audit's business, not the migration's), with
/// one exception: TimescaleDB runs retention policies and jobs as the hypertable owner and refuses to schedule
/// them for a role without LOGIN. So with hypertables the owner gets `LOGIN CONNECTION LIMIT 0` and no
/// password: background workers are not counted against a connection limit, every client login is refused
/// ("too many connections for role"), and nothing can authenticate as it.
///
/// On Citus, the coordinator reaches the workers as the session's current role, for queries as for shard moves
/// and splits (which run as the table owner): the owner and the access roles must be able to log in there.
/// Keep them to the cluster's own connections with pg_hba on the workers (docs/citus.md).
struct RoleStatements {
    let spec: Spec

    var ownerRunsJobs: Bool { spec.tables.contains { $0.hypertable != nil } }

    /// Roles the coordinator logs in to workers as (Citus).
    var clusterLogins: [String] {
        spec.tenancy.citus ? uniqued([spec.roles.owner] + spec.roles.accessRoles) : []
    }

    func statements() -> [Statement] {
        let r = spec.roles
        var out: [Statement] = []
        if r.create {
            let names = uniqued([r.owner, r.app, r.admin] + r.readonly + r.adminMembers)
            let body = names.map { name in
                let attributes = clusterLogins.contains(name) ? "LOGIN NOBYPASSRLS"
                    : name == r.owner && ownerRunsJobs ? "LOGIN CONNECTION LIMIT 0 NOBYPASSRLS" : "NOLOGIN NOBYPASSRLS"
                return "    IF NOT EXISTS (SELECT 1 FROM pg_catalog.pg_roles WHERE rolname = \(SQL.literal(name))) THEN\n"
                    + "        EXECUTE pg_catalog.format('CREATE ROLE %I \(attributes)', \(SQL.literal(name)));\n"
                    + "    END IF;"
            }.joined(separator: "\n")
            out.append(Statement(.roles, "DO " + SQL.dollarQuoted("\nBEGIN\n" + body + "\nEND\n"),
                                 comment: "Create missing roles. Application roles never get BYPASSRLS or ownership."))
        }
        if ownerRunsJobs {
            let owner = SQL.literal(r.owner)
            out.append(Statement(.roles, "DO " + SQL.dollarQuoted("""

                BEGIN
                    IF EXISTS (SELECT 1 FROM pg_catalog.pg_roles WHERE rolname = \(owner) AND NOT rolcanlogin) THEN
                        EXECUTE pg_catalog.format('ALTER ROLE %I LOGIN CONNECTION LIMIT 0', \(owner));
                    END IF;
                END

                """), comment: "TimescaleDB runs jobs as the hypertable owner and requires LOGIN; CONNECTION LIMIT 0 keeps every client out."))
        }
        if !clusterLogins.isEmpty {
            let names = "ARRAY[" + clusterLogins.map(SQL.literal).joined(separator: ", ") + "]::name[]"
            out.append(Statement(.roles, "DO " + SQL.dollarQuoted("""

                DECLARE
                    role name;
                BEGIN
                    FOR role IN SELECT rolname FROM pg_catalog.pg_roles WHERE rolname = ANY (\(names)) AND NOT rolcanlogin LOOP
                        EXECUTE pg_catalog.format('ALTER ROLE %I LOGIN', role);
                    END LOOP;
                END

                """), comment: "Citus connects to the workers as the session's role (and as the owner for shard moves): they need LOGIN. Restrict them to the cluster's own connections with pg_hba on the workers."))
        }
        for member in r.adminMembers {
            out.append(Statement(.roles, "GRANT \(SQL.ident(r.admin)) TO \(SQL.ident(member))",
                                 comment: "\(member) may enable admin mode (every call is logged)."))
        }
        return out
    }
}

/// The names in order, without empties and repeats (roles named twice in a spec, for example).
public func uniqued(_ names: [String]) -> [String] {
    var seen: Set<String> = []
    return names.filter { !$0.isEmpty && seen.insert($0).inserted }
}
