import Catalog

extension AccessModel {
    /// Which rows a privilege reaches, as PostgreSQL decides it: RLS never governs TRUNCATE and REFERENCES, nor a
    /// bypassing role, nor a table with RLS off, nor its owner unless FORCE is on; otherwise the policies that
    /// apply to the role and command decide.
    static func reach(of role: RoleFacts, on table: DatabaseCatalog.Table, for command: AccessCommand, privilege: AccessPrivilege,
                      view: ViewReach?, in catalog: DatabaseCatalog) -> AccessReach {
        guard privilege != .none else { return .denied }
        switch table.kind {
        case "v":
            return [.truncate, .references].contains(command) ? .denied : .view(view ?? viewReach(table, in: catalog))
        case "m":
            // A materialized view cannot be written, and RLS cannot be enabled on it: its reader sees every row.
            return command == .select ? .unfiltered("a materialized view applies no row-level security") : .denied
        default:
            return tableReach(of: role, on: table, for: command, in: catalog)
        }
    }

    static func tableReach(of role: RoleFacts, on table: DatabaseCatalog.Table, for command: AccessCommand, in catalog: DatabaseCatalog) -> AccessReach {
        if command == .truncate { return .unfiltered("TRUNCATE is not subject to row-level security") }
        if command == .references { return .unfiltered("foreign-key checks bypass row-level security") }
        if let bypass = role.bypass { return .unfiltered(bypass) }
        if !table.rls { return .unfiltered("row-level security is off on \(table.qualified)") }
        if role.owns(table) && !table.forced {
            return .unfiltered("\(role.name) \(table.owner == role.name ? "owns" : "can SET ROLE to \(table.owner), which owns") \(table.qualified) and row-level security is not forced")
        }
        let applicable = catalog.policies(on: table).filter { !role.policyRoles.isDisjoint(with: $0.roles) }
        let forCommand = applicable.filter { $0.command == "*" || $0.command == command.policyCommand }.sorted { $0.name < $1.name }
        let using = command.filtersExisting ? combine(forCommand, \.using) : nil
        let check = command.checksNew ? combine(forCommand) { $0.check ?? $0.using } : nil
        return .filtered(using: using, check: check)
    }

    /// Permissive policies ORed (none: no row), ANDed with the restrictive ones. A policy without the clause adds
    /// nothing, as in PostgreSQL's rowsecurity.c.
    static func combine(_ policies: [DatabaseCatalog.Policy], _ clause: (DatabaseCatalog.Policy) -> String?) -> Predicate {
        let permissive = policies.filter(\.permissive).compactMap(clause).map(Predicate.expression)
        let restrictive = policies.filter { !$0.permissive }.compactMap(clause).map(Predicate.expression)
        let admitted: Predicate = permissive.isEmpty ? .none : permissive.count == 1 ? permissive[0] : .or(permissive)
        return restrictive.isEmpty ? admitted : .and([admitted] + restrictive)
    }
}
