import PolicyGen
import Tenantwall

/// How `tenant add` makes a tenant's login role in the `role` binding: which role it joins, and its password.
///
/// A tenant role joins the application role by default. A dashboard (Grafana) should log in as a member of a
/// read-only role instead: it then has only that role's SELECT grants and policies, so a query typed into a
/// panel can read its own tenant's rows and write nothing. Only roles the spec names can be joined: a role
/// with more reach (the admin role, the owner) would widen the tenant.
public struct TenantLogin: Sendable {
    /// The role to join: the spec's app role or one of its `readonly` roles; nil for the app role.
    public var memberOf: String?
    /// The login password, hashed on the client before it is sent; nil leaves the role without one.
    public var password: String?

    public init(memberOf: String? = nil, password: String? = nil) {
        self.memberOf = memberOf
        self.password = password
    }

    /// The role the tenant role joins, checked against the spec.
    public func role(in spec: Spec) throws -> String {
        guard let memberOf, memberOf != spec.roles.app else {
            if password != nil && spec.tenancy.binding != .role { throw ToolError("a password is for a tenant login role: the spec's binding is not role") }
            return spec.roles.app
        }
        guard spec.tenancy.binding == .role else {
            throw ToolError("--member-of needs the role binding (tenancy.binding: role): this spec binds tenants another way")
        }
        guard spec.roles.readonly.contains(memberOf) else {
            let named = spec.roles.readonly.isEmpty ? "the spec names none (roles.readonly)" : "the spec's: \(spec.roles.readonly.joined(separator: ", "))"
            throw ToolError("--member-of \(memberOf): a tenant role may join only the app role or a read-only role; \(named)")
        }
        return memberOf
    }

    /// A password for a role a machine logs in with: 32 random bytes, base64url (43 characters).
    public static func generatedPassword() -> String {
        var generator = SystemRandomNumberGenerator()
        let bytes = (0..<32).map { _ in UInt8.random(in: .min ... .max, using: &generator) }
        return JWT.base64url(bytes)
    }
}
