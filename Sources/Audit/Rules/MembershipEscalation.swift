/// TW130: an application role is a member (directly or through other roles) of the owner of an unforced
/// protected table: it can `SET ROLE` to that owner, which bypasses RLS there and can turn it off.
public struct MembershipEscalation: AuditRule {
    public let id = "TW130", name = "membership-escalation", severity = Severity.error
    public let title = "application role can SET ROLE to a table owner"
    public let explanation = "Membership is transitive: through any chain of GRANT role TO role, the application can become the owner, which is exempt from unforced RLS and may ALTER TABLE … DISABLE ROW LEVEL SECURITY. (Memberships in BYPASSRLS or superuser roles are TW112.)"
    public init() {}
    public func check(_ input: AuditInput) -> [Finding] {
        guard let catalog = input.catalog else { return [] }
        var out: [Finding] = []
        for role in catalog.roles where input.isApp(role.name) {
            let owners = Set(role.memberOf)
            let reachable = input.protectedTables.filter { owners.contains($0.owner) && $0.owner != role.name }
            for owner in Set(reachable.map(\.owner)).sorted() {
                let tables = reachable.filter { $0.owner == owner }.map(\.qualified).sorted()
                out.append(finding("\(role.name) can SET ROLE \(owner), the owner of \(tables.prefix(5).joined(separator: ", "))\(tables.count > 5 ? " and \(tables.count - 5) more" : "")",
                                   at: .object("role", role.name), fix: revokes(role, reaching: owner, catalog).joined(separator: "\n")))
            }
        }
        return out
    }

    /// The direct grants through which `role` reaches `owner`: revoking the owner itself does nothing when the
    /// membership comes through another role. The owner alone when the catalog has no direct edges.
    func revokes(_ role: AuditCatalog.Role, reaching owner: String, _ catalog: AuditCatalog) -> [String] {
        let via = role.grantedRoles.filter { granted in granted == owner || catalog.roles.contains { $0.name == granted && $0.memberOf.contains(owner) } }
        return (via.isEmpty ? [owner] : via).map { "REVOKE \(Fix.ident($0)) FROM \(Fix.ident(role.name));" }
    }
}
