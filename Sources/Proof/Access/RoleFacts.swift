import Catalog

/// A role as the access model reads it: the roles whose privileges it holds, the policies aimed at it, and
/// whether RLS applies to it at all.
///
/// A role can `SET ROLE` to every role it is a member of (`memberOf`, direct or not), so what any of them may do it
/// may do: the model counts their grants, their policies and their ownership as its own. NOINHERIT is not
/// modelled for that reason: it only changes whether the role must SET ROLE first.
struct RoleFacts: Sendable {
    /// The pseudo-role for grants to PUBLIC and policies `TO public`: any role at all, one created tomorrow too.
    static let publicName = "PUBLIC"

    let name: String
    let memberOf: Set<String>
    /// Why RLS never applies to the role (BYPASSRLS, superuser, or a membership in such a role); nil when it does.
    let bypass: String?

    var isPublic: Bool { name == Self.publicName }

    /// Grantees whose privileges the role holds (`grantee` of `grantee:PRIVILEGE`).
    var grantees: Set<String> { isPublic ? [Self.publicName] : memberOf.union([name, Self.publicName]) }

    /// Names in `Policy.roles` that make a policy apply to the role (`public` is how PUBLIC is spelled there).
    var policyRoles: Set<String> { isPublic ? ["public"] : memberOf.union([name, "public"]) }

    /// The role owns the table, or can SET ROLE to its owner.
    func owns(_ table: DatabaseCatalog.Table) -> Bool { !isPublic && (table.owner == name || memberOf.contains(table.owner)) }

    /// What the catalog says of `name` (a role it does not list: no memberships, no bypass).
    init(_ name: String, in catalog: DatabaseCatalog) {
        self.name = name
        guard name != Self.publicName, let role = catalog.role(name) else {
            memberOf = []
            bypass = nil
            return
        }
        memberOf = Set(role.memberOf)
        if role.superuser {
            bypass = "\(name) is a superuser"
        } else if role.bypassRLS {
            bypass = "\(name) has BYPASSRLS"
        } else if let other = role.bypassMemberships.sorted().first {
            bypass = "\(name) can SET ROLE to \(other), which bypasses row-level security"
        } else {
            bypass = nil
        }
    }
}
