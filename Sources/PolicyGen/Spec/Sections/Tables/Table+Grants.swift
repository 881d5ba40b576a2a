import Yams

/// A table's `grants`: which access role may run which commands (never TRUNCATE, REFERENCES or TRIGGER). It
/// owns the key, how it is read (`role: [commands]`, `all`), and the diagnostics about grants to unknown
/// roles, to the owner, and writes a read-only role or a table's isolation kind does not allow. A table
/// without grants gets `DefaultGrants`.
public enum Command: String, CaseIterable, Sendable, Comparable {
    case select, insert, update, delete

    public static func < (a: Command, b: Command) -> Bool {
        allCases.firstIndex(of: a)! < allCases.firstIndex(of: b)!
    }

    public var sql: String { rawValue.uppercased() }
}

extension Table {
    public func commands(for role: String) -> [Command] {
        grants.first { $0.role == role }?.commands ?? []
    }
}

// MARK: - Keys

extension Table {
    static let grantsKey = SpecKey<Table>("grants") { table, entry, reader in
        table.grants = readGrants(entry.value, &reader)
        if case let .mapping(mapping) = entry.value {
            for (roleNode, _) in mapping { if let role = roleNode.scalar?.string { table.grantLocations[role] = reader.location(roleNode) } }
        }
    }

    /// Role → commands in the order written; each role's commands deduplicated and in `Command` order.
    static func readGrants(_ node: Node, _ reader: inout NodeReader) -> [(role: String, commands: [Command])] {
        var grants: [(String, [Command])] = []
        for (role, _, value) in reader.mapping(node, allowed: nil, what: "grants") ?? [] {
            var commands: [Command] = []
            for name in reader.strings(value, what: "the commands granted to '\(role)'") ?? [] {
                if name.lowercased() == "all" { commands = Command.allCases; continue }
                if let command = Command(rawValue: name.lowercased()) {
                    commands.append(command)
                } else {
                    var message = "unknown command '\(name)' for role '\(role)' (one of: select, insert, update, delete, all; TRUNCATE, REFERENCES and TRIGGER are never granted)"
                    if let s = Suggestion.closest(to: name.lowercased(), among: Command.allCases.map(\.rawValue)) { message += "; did you mean '\(s)'?" }
                    reader.error(message, value)
                }
            }
            grants.append((role, Array(Set(commands)).sorted()))
        }
        return grants
    }
}

// MARK: - Checks

extension Table {
    /// Each grant to a declared access role (not the owner), within what its isolation kind and a
    /// read-only role allow; reported at the role's name.
    func checkGrants(_ checks: inout SpecChecks) {
        let r = checks.roles
        let declared = Set(r.accessRoles)
        for (role, commands) in grants {
            let at = grantLocations[role] ?? location
            if role == r.owner { checks.error("grants to the owner '\(role)' are not needed: it owns the table", at); continue }
            if !declared.contains(role) {
                var message = "grant to unknown role '\(role)' (declared: \(r.accessRoles.filter { !$0.isEmpty }.joined(separator: ", ")))"
                if let s = Suggestion.closest(to: role, among: r.accessRoles) { message += "; did you mean '\(s)'?" }
                checks.error(message, at)
                continue
            }
            if role != r.admin, let problem = nonAdminWriteProblem(commands) { checks.error(problem, at) }
            if r.readonly.contains(role), commands.contains(where: { $0 != .select }) {
                checks.error("'\(role)' is a read-only role: it may only be granted select", at)
            }
        }
    }

    /// What the isolation kind refuses to a role other than the admin (shared and tenants tables are
    /// written in admin mode), or nil.
    private func nonAdminWriteProblem(_ commands: [Command]) -> String? {
        switch isolation {
        case .shared: return sharedWriteProblem(commands)
        case .self: return tenantsTableWriteProblem(commands)
        case .tenant, .exempt: return nil
        }
    }
}
