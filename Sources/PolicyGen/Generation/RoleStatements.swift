/// Creates the spec's roles when missing, as NOLOGIN and never BYPASSRLS, and grants admin membership.
/// Existing roles are left as they are (their attributes are the audit's business, not the migration's).
struct RoleStatements {
    let spec: Spec

    func statements() -> [Statement] {
        let r = spec.roles
        var out: [Statement] = []
        if r.create {
            let names = uniqued([r.owner, r.app, r.admin] + r.readonly + r.adminMembers)
            let body = names.map { name in
                "    IF NOT EXISTS (SELECT 1 FROM pg_catalog.pg_roles WHERE rolname = \(SQL.literal(name))) THEN\n"
                    + "        EXECUTE pg_catalog.format('CREATE ROLE %I NOLOGIN NOBYPASSRLS', \(SQL.literal(name)));\n"
                    + "    END IF;"
            }.joined(separator: "\n")
            out.append(Statement(.roles, "DO " + SQL.dollarQuoted("\nBEGIN\n" + body + "\nEND\n"),
                                 comment: "Create missing roles. Application roles never get BYPASSRLS or ownership."))
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
