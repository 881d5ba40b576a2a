/// Who is who, from who holds what today: the tables' owner is `roles.owner`; the role that writes (INSERT,
/// UPDATE, DELETE) the most tenant tables is `roles.app` (more privileges break a tie, which its rival's question says);
/// roles that only ever SELECT are `roles.readonly`.
/// Any other writer is a question, never a guess: declaring it would hand it the app's walls or an admin's
/// reach. No admin is declared; a role that looks like one is offered commented.
public enum RoleInference {
    public struct Result: Sendable, Equatable {
        public var owner: String
        public var app: String
        public var readonly: [String]
        /// Non-owner roles that write and are neither the app nor read-only.
        public var otherWriters: [String]
        public var adminCandidate: String?
        public var questions: [String]
    }

    static let writes: Set = ["INSERT", "UPDATE", "DELETE"]

    /// `tenantTables`: the qualified names of the tables isolated by tenant.
    public static func infer(_ database: ExistingDatabase, tenantTables: Set<String>) -> Result {
        var questions: [String] = []
        let owners = Dictionary(grouping: database.tables, by: \.owner).mapValues(\.count)
        let owner = owners.keys.sorted().max { owners[$0]! < owners[$1]! } ?? ""
        if owners.count > 1 {
            let listed = owners.keys.sorted().map { "\($0) (\(owners[$0]!))" }.joined(separator: ", ")
            questions.append("the tables have \(owners.count) owners: \(listed). tenantwall's owner owns them all: ALTER TABLE … OWNER TO \(owner) for the others, or choose another owner")
        }
        let excluded = Set(database.roles.filter(\.superuser).map(\.name)).union(["PUBLIC", owner])
        let grantees = Set(database.tables.flatMap { $0.grants.map(\.role) }).subtracting(excluded).sorted()

        func written(by role: String, in tables: [ExistingDatabase.Table]) -> (tables: Int, privileges: Int) {
            let counts = tables.map { $0.privileges(of: role).filter(writes.contains).count }
            return (counts.filter { $0 > 0 }.count, counts.reduce(0, +))
        }
        let tenant = database.tables.filter { tenantTables.contains($0.qualifiedName) }
        let ranked = grantees.map { (role: $0, score: written(by: $0, in: tenant)) }.filter { $0.score.tables > 0 }
            .sorted { ($0.score.tables, $0.score.privileges) > ($1.score.tables, $1.score.privileges) }
        var app = ranked.first?.role ?? ""
        // Writers of as many tenant tables as the app: the app was chosen by its privileges, which each one's question says.
        let rivals = Set(ranked.dropFirst().filter { $0.score.tables == ranked[0].score.tables }.map(\.role))
        if app.isEmpty {
            let readers = grantees.map { role in (role, tenant.filter { $0.privileges(of: role).contains("SELECT") }.count) }.filter { $0.1 > 0 }
            app = readers.max { $0.1 < $1.1 }?.0 ?? ""
            questions.append(app.isEmpty
                ? "no role other than the owner uses the tenant tables: name the application's role (roles.app; created NOLOGIN when missing)"
                : "no role writes the tenant tables; \(app) reads the most: is it the application (roles.app)?")
            if app.isEmpty { app = "app_user" }
        }

        var readonly: [String] = [], otherWriters: [String] = []
        for role in grantees where role != app {
            let privileges = Set(database.tables.flatMap { $0.privileges(of: role) })
            if privileges == ["SELECT"] { readonly.append(role) } else if !privileges.isDisjoint(with: writes) { otherWriters.append(role) }
        }
        for role in otherWriters {
            let what = database.tables.compactMap { table -> String? in
                let held = table.privileges(of: role).filter(writes.contains)
                return held.isEmpty ? nil : "\(table.qualifiedName) (\(held.map { $0.lowercased() }.joined(separator: ", ")))"
            }
            let rival = rivals.contains(role) ? " (as many tenant tables as \(app), which holds more privileges on them and is roles.app)" : ""
            questions.append("\(role) writes \(what.joined(separator: ", ")) and is not declared\(rival): is it the application (roles.app), a member of an admin role (roles.admin_members), or should it lose these grants? Its grants are written commented under each table")
        }

        let adminCandidate = grantees.first { role in
            role != app && (database.role(role)?.bypassRLS == true || role.lowercased().contains("admin"))
        }
        if let adminCandidate {
            let why = database.role(adminCandidate)?.bypassRLS == true ? "has BYPASSRLS" : "is named like one"
            questions.append("\(adminCandidate) \(why): is it the admin role (roles.admin, whose admin mode is logged)? An access role must not bypass RLS: ALTER ROLE \(adminCandidate) NOBYPASSRLS")
        }
        for role in [app] + readonly where database.role(role)?.bypassRLS == true {
            questions.append("\(role) has BYPASSRLS, so no policy applies to it: ALTER ROLE \(role) NOBYPASSRLS before relying on the walls")
        }
        return Result(owner: owner, app: app, readonly: readonly, otherWriters: otherWriters, adminCandidate: adminCandidate, questions: questions)
    }
}
