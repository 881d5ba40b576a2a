/// TW105: a permissive policy for PUBLIC (the default when `CREATE POLICY` names no role) binds every role
/// that has, or is later given, a privilege on the table.
///
/// On a database tenantwall did not write, the table's grants are the only record of who reads it, so the fix
/// names exactly those roles: every current reader keeps working, and a role granted the table later (a BI
/// login, a support tool) gets no rows until a policy names it, instead of whatever its session's setting
/// selects.
public struct PolicyToPublic: AuditRule {
    public let id = "TW105", name = "policy-to-public", severity = Severity.error
    public let title = "permissive policy granted to PUBLIC"
    public let explanation = "A permissive policy TO PUBLIC binds every role that has, or later gets, a grant on the table, not only the application: a role granted the table for another purpose reads whatever tenant its session's setting selects. Name the roles that hold privileges on it today."
    public init() {}
    public func check(_ input: AuditInput) -> [Finding] {
        guard let catalog = input.catalog else { return [] }
        return catalog.policies.filter { $0.permissive && $0.roles.contains("public") }.map { policy in
            let holders = catalog.table(policy.table).map(catalog.privilegeHolders) ?? (roles: [], publicPrivileges: [])
            var message = "policy \(policy.name) on \(policy.table) applies to PUBLIC: every role that has or later gets a grant on \(policy.table) is bound by it"
            message += holders.roles.isEmpty ? "; no role other than its owner holds a privilege on it" : "; the roles holding privileges on it today are \(holders.roles.joined(separator: ", "))"
            if !holders.publicPrivileges.isEmpty {
                message += "; PUBLIC itself holds \(holders.publicPrivileges.joined(separator: ", ")) on it, so every role is a reader: revoke that (TW122) and grant the roles that need it"
            }
            // Without any named grantee, the application's roles are the best guess; without those, a placeholder.
            let roles = catalog.table(policy.table).map(input.currentUsers) ?? []
            let to = roles.isEmpty ? "<application role>" : roles.map(Fix.ident).joined(separator: ", ")
            return finding(message, at: .object("policy", "\(policy.table).\(policy.name)"),
                           fix: "ALTER POLICY \(Fix.ident(policy.name)) ON \(Fix.table(policy.table)) TO \(to);")
        }
    }
}
