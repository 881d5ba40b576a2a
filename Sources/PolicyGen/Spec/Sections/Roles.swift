import Yams

/// The `roles` section: the owner, the application, the admin role and its members, read-only roles, whether
/// tenantwall creates them, and what the owner sees. It owns the section's keys and defaults, how they are
/// read, and every diagnostic about roles that bypass isolation or collide.
public struct Roles: Sendable {
    /// Owns the tables and runs migrations. Never used by the application.
    public var owner: String = ""
    /// The application's role: subject to RLS, never the owner.
    public var app: String = ""
    /// Members may call `enable_admin_mode()` to see every tenant, with each call recorded. Optional: empty
    /// when the database has no admin role (no admin policies, nobody may enable admin mode).
    public var admin: String = ""
    /// Login roles (e.g. an ingestion service) granted membership of the admin role.
    public var adminMembers: [String] = []
    /// Read-only roles such as reporting or BI; tenant-scoped like the application.
    public var readonly: [String] = []
    /// Whether the generated SQL creates missing roles (as NOLOGIN, NOBYPASSRLS).
    public var create: Bool = true
    /// How the owner's own sessions (jobs, refreshes, maintenance) see rows of RLS tables.
    public var ownerAccess: OwnerAccess = .none
    public var locations: [String: SourceLocation] = [:]

    public init() {}

    /// Every role the application side uses: these must never bypass RLS.
    public var accessRoles: [String] { ([app, admin] + readonly).filter { !$0.isEmpty } }

    public var hasAdmin: Bool { !admin.isEmpty }
}

/// How the table owner's own sessions see rows of RLS tables (FORCE binds the owner too).
public enum OwnerAccess: String, CaseIterable, Sendable {
    /// As the policies say: none of the access roles' policies name the owner, so it sees no row. For a
    /// database whose owner only runs migrations.
    case none
    /// Every row, through a policy for the owner alone: its jobs, refreshes of materialized views and
    /// maintenance keep working. The application must never connect as the owner (audit TW113/TW130).
    case all
}

// MARK: - Keys

extension Roles {
    static let keys: [SpecKey<Roles>] = [
        SpecKey("owner") { roles, entry, reader in roles.owner = reader.string(entry.value, what: "roles.owner") ?? "" },
        SpecKey("app") { roles, entry, reader in roles.app = reader.string(entry.value, what: "roles.app") ?? "" },
        SpecKey("admin") { roles, entry, reader in roles.admin = reader.string(entry.value, what: "roles.admin") ?? "" },
        SpecKey("admin_members") { roles, entry, reader in roles.adminMembers = reader.strings(entry.value, what: "roles.admin_members") ?? [] },
        SpecKey("readonly") { roles, entry, reader in roles.readonly = reader.strings(entry.value, what: "roles.readonly") ?? [] },
        SpecKey("create") { roles, entry, reader in roles.create = reader.bool(entry.value, what: "roles.create") ?? true },
        SpecKey("owner_access") { roles, entry, reader in
            roles.ownerAccess = reader.choice(entry.value, what: "roles.owner_access", as: OwnerAccess.self) ?? roles.ownerAccess
        },
    ]

    /// The section as written at `location`; each key's value location is kept for the checks.
    static func read(_ node: Node, _ reader: inout NodeReader, at location: SourceLocation) -> Roles {
        var roles = Roles()
        roles.locations["roles"] = location
        let entries = reader.entries(node, keys: keys, what: "roles") ?? []
        for entry in entries { roles.locations[entry.key] = reader.location(entry.value) }
        reader.read(entries, into: &roles, keys: keys)
        return roles
    }
}

// MARK: - Checks

extension Roles {
    /// Where `key`'s value was written, else the section.
    func location(_ key: String) -> SourceLocation? { locations[key] ?? locations["roles"] }

    func check(_ checks: inout SpecChecks) {
        for key in ["owner", "app"] {
            let value = key == "owner" ? owner : app
            if value.isEmpty { checks.error("roles.\(key) is required", location("roles")) } else { checks.identifier(value, "roles.\(key)", location(key)) }
        }
        if locations["admin"] != nil { checks.identifier(admin, "roles.admin", location("admin")) }
        if !hasAdmin && !adminMembers.isEmpty { checks.error("roles.admin_members needs roles.admin: members of which role?", location("admin_members")) }
        if ownerAccess == .all && checks.tenancy.citus {
            checks.error("roles.owner_access: all is not proved on Citus in this version (the owner's policy would have to reach every shard)", location("owner_access"))
        }
        for role in readonly { checks.identifier(role, "readonly role", location("readonly")) }
        for role in adminMembers { checks.identifier(role, "admin member", location("admin_members")) }
        checkOverlaps(&checks)
    }

    /// One role in two parts would give one side the other's reach (the owner bypasses RLS unless forced).
    private func checkOverlaps(_ checks: inout SpecChecks) {
        if !app.isEmpty && app == owner {
            checks.error("the application role must not be the owner: owners bypass RLS unless forced, and can turn FORCE off", location("app"))
        }
        if !admin.isEmpty && admin == owner { checks.error("the admin role must not be the owner", location("admin")) }
        if !app.isEmpty && app == admin { checks.error("the application role must not be the admin role: every session would be an admin", location("admin")) }
        if readonly.contains(owner) { checks.error("a read-only role must not be the owner", location("readonly")) }
        if Set(readonly).count != readonly.count { checks.error("duplicate read-only role", location("readonly")) }
        if readonly.contains(app) || readonly.contains(admin) { checks.error("a read-only role must not also be the app or admin role", location("readonly")) }
    }
}
