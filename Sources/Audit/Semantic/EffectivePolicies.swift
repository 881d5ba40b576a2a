import Catalog
import Proof

/// The policies PostgreSQL applies to one role's command on one table, and the predicate it builds of them:
/// permissive policies ORed (none: no row), ANDed with every restrictive one; USING for the rows a command
/// reads, WITH CHECK (or, without one, USING) for the rows it writes. As in rowsecurity.c, and as the access
/// model of prove and review combines them.
struct EffectivePolicies: Sendable {
    /// A command and the clauses it is judged on, with `pg_policy.polcmd`.
    enum Command: String, CaseIterable, Sendable {
        case select = "SELECT", insert = "INSERT", update = "UPDATE", delete = "DELETE"
        var polcmd: String { switch self { case .select: "r"; case .insert: "a"; case .update: "w"; case .delete: "d" } }
        var clauses: [Clause] { switch self { case .select, .delete: [.using]; case .insert: [.check]; case .update: [.using, .check] } }
    }

    enum Clause: String, Sendable { case using = "USING", check = "WITH CHECK" }

    let permissive: [DatabaseCatalog.Policy]
    let restrictive: [DatabaseCatalog.Policy]

    /// The policies that name the role, one it is a member of, or PUBLIC, for the command (or ALL).
    init(_ policies: [DatabaseCatalog.Policy], role: String, memberOf: Set<String>, command: Command) {
        let names = memberOf.union([role, "public"])
        let applicable = policies.filter { !names.isDisjoint(with: $0.roles) && ($0.command == "*" || $0.command == command.polcmd) }
            .sorted { $0.name < $1.name }
        permissive = applicable.filter(\.permissive)
        restrictive = applicable.filter { !$0.permissive }
    }

    /// A policy's expression for the clause: WITH CHECK falls back to USING; nil when it has neither.
    static func text(_ policy: DatabaseCatalog.Policy, _ clause: Clause) -> String? {
        clause == .using ? policy.using : (policy.check ?? policy.using)
    }

    /// The restrictive policies' expressions ANDed with `admitted`.
    func restricting(_ admitted: RowPredicate, _ clause: Clause) -> RowPredicate {
        let parts = restrictive.compactMap { Self.text($0, clause) }.map(RowPredicate.expression)
        return parts.isEmpty ? admitted : .and([admitted] + parts)
    }

    /// The whole predicate for the clause.
    func predicate(_ clause: Clause) -> RowPredicate {
        let parts = permissive.compactMap { Self.text($0, clause) }.map(RowPredicate.expression)
        return restricting(parts.isEmpty ? .none : parts.count == 1 ? parts[0] : .or(parts), clause)
    }
}
