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
                                   at: .object("role", role.name), fix: "REVOKE \(Fix.ident(owner)) FROM \(Fix.ident(role.name));"))
            }
        }
        return out
    }
}
