/// TW112: an application role that is superuser, BYPASSRLS, or can become one.
public struct AppRoleBypasses: AuditRule {
    public let id = "TW112", name = "app-role-bypasses-rls", severity = Severity.error
    public let title = "application role bypasses row-level security"
    public let explanation = "Superusers and BYPASSRLS roles ignore every policy; a member of one can SET ROLE to it."
    public init() {}
    public func check(_ input: AuditInput) -> [Finding] {
        (input.catalog?.roles ?? []).filter { input.isApp($0.name) && $0.bypasses }.map { role in
            let why = role.superuser ? "is a superuser" : role.bypassRLS ? "has BYPASSRLS" : "is a member of \(role.bypassMemberships.joined(separator: ", "))"
            return finding("application role \(role.name) \(why)", at: .object("role", role.name),
                           fix: role.superuser ? "ALTER ROLE \(Fix.ident(role.name)) NOSUPERUSER;" : role.bypassRLS ? "ALTER ROLE \(Fix.ident(role.name)) NOBYPASSRLS;"
                               : role.bypassMemberships.map { "REVOKE \(Fix.ident($0)) FROM \(Fix.ident(role.name));" }.joined(separator: " "))
        }
    }
}
