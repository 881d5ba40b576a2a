import Catalog
import Proof

/// A second witness, for a widening whose first one made the head's own statement fail: the solver reads a
/// failing cast as "this predicate admits nothing" and may still find the row through another branch of an OR,
/// while PostgreSQL stops the whole statement at the error (`tenant_id = current_tenant_id() OR admin_mode_on()`
/// with `app.tenant_id = 'o'`). The same question asked again with the tenant reader assumed to return a value
/// gives a context the application could really be in.
struct WitnessRetry {
    let base: BuiltSide
    let head: BuiltSide
    let models: ReviewComparison
    let solver: PredicateSolver

    /// Asked with `assuming` (values the first witness' types refused) and the tenant reader returning a value,
    /// then, when no row fits, with `assuming` alone. Nil when there is nothing to assume, the head's entry is
    /// not filtered, the base's is neither filtered nor denied, or the solver finds no such row.
    /// `tenantBound` false asks for a context with no tenant instead: for a role no session can bind one to (the
    /// role binding's tenant roles are members of the application role, not of the admin role).
    func witness(for change: ReviewChange, assuming: [Proof.Predicate] = [], tenantBound: Bool = true) -> Witness? {
        guard let command = AccessCommand(rawValue: change.command),
              let headPredicate = Self.clause(models.head.entry(role: change.role, object: change.object, command: command), change.clause),
              let basePredicate = Self.baseClause(models.base.entry(role: change.role, object: change.object, command: command), change.clause)
        else { return nil }
        var attempts: [[Proof.Predicate]] = []
        if let reader = models.head.options.reader { attempts.append(assuming + [.expression("(\(reader)) IS \(tenantBound ? "NOT NULL" : "NULL")")]) }
        if !assuming.isEmpty { attempts.append(assuming) }
        let columns = (head.catalog.table(change.object) ?? base.catalog.table(change.object))?.attributes ?? []
        for assumptions in attempts {
            let verdict = solver.entails(headPredicate, in: side(head.catalog, columns, change.role), basePredicate, in: side(base.catalog, columns, change.role),
                                         assuming: assumptions.count == 1 ? assumptions[0] : .and(assumptions))
            if case .fails(let witness) = verdict { return witness }
        }
        return nil
    }

    /// The predicate of one clause of a filtered entry (`WITH CHECK` or `USING`; the one there is when nil).
    static func clause(_ entry: AccessEntry?, _ clause: String?) -> Predicate? {
        guard case .filtered(let using, let check)? = entry?.reach else { return nil }
        switch clause {
        case "WITH CHECK": return check
        case "USING": return using
        default: return using ?? check
        }
    }

    /// The base's predicate for the same clause; none at all (`false`) where the base had no privilege or no
    /// such object: a command granted by the change.
    static func baseClause(_ entry: AccessEntry?, _ clause: String?) -> Predicate? {
        guard let entry, entry.reach != .denied else { return Predicate.none }
        return Self.clause(entry, clause)
    }

    func side(_ catalog: DatabaseCatalog, _ columns: [DatabaseCatalog.Column], _ role: String) -> Side {
        let options = models.head.options
        return Side(columns: columns, functions: catalog.functions, role: role, memberships: Set(catalog.role(role)?.memberOf ?? []),
                    gates: options.gates.mapValues { $0.isEmpty ? (options.adminRole ?? "") : $0 })
    }
}
