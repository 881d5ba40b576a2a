import Catalog
import Proof

/// A witness for a view that now shows rows no policy filters (a `security_invoker` view made to run as an
/// owner RLS does not filter): a row of the table the view reads that the base's policies keep from the role
/// (with a tenant bound, when there is a reader) and the head's view shows. The access diff compares views as
/// they stand rather than solving them, so it gives none; the runner writes the row into that table and counts
/// it through each side's view.
struct ViewWitness {
    let base: BuiltSide
    let head: BuiltSide
    let models: ReviewComparison
    let solver: PredicateSolver

    /// Nil unless the head's view bypasses the policies where the base's did not, reads one table, and the
    /// solver finds a row of it the base's SELECT policies refuse the role (or the base grants no SELECT there).
    func witness(for change: ReviewChange) -> Witness? {
        guard change.command == AccessCommand.select.rawValue,
              case .view(let headView)? = models.head.entry(role: change.role, object: change.object, command: .select)?.reach,
              headView.bypasses, headView.reads.count == 1, let table = headView.reads.first,
              let columns = head.catalog.table(table)?.attributes,
              let refused = baseRefuses(change, table: table)
        else { return nil }
        let shown = Self.shown(headView)
        let assumption = models.head.options.reader.map { Proof.Predicate.expression("(\($0)) IS NOT NULL") } ?? .all
        let verdict = solver.entails(shown, in: side(head.catalog, columns, change.role), refused, in: side(base.catalog, columns, change.role),
                                     assuming: assumption)
        if case .fails(let witness) = verdict { return witness }
        return nil
    }

    /// The head's view keeps only the rows its WHERE admits: the row must be one of them.
    static func shown(_ view: ViewReach) -> Proof.Predicate {
        view.condition.map(Proof.Predicate.expression) ?? .all
    }

    /// The predicates a view witness is solved against (the base's policies on the table read, the head view's
    /// WHERE): the columns they name are written exactly as the witness says.
    func predicates(for change: ReviewChange) -> [Proof.Predicate] {
        guard case .view(let headView)? = models.head.entry(role: change.role, object: change.object, command: .select)?.reach,
              let table = headView.reads.first else { return [] }
        return [baseRefuses(change, table: table), Self.shown(headView)].compactMap { $0 }
    }

    /// What the base admits of `table` to the role through its view: the role's own SELECT policies there when
    /// the base's view runs with the caller's rights (nothing without the privilege); nil when the base's view
    /// shows the rows some other way (the comparison would not be a bypass then).
    func baseRefuses(_ change: ReviewChange, table: String) -> Proof.Predicate? {
        guard case .view(let baseView)? = models.base.entry(role: change.role, object: change.object, command: .select)?.reach,
              baseView.securityInvoker else { return nil }
        switch models.base.entry(role: change.role, object: table, command: .select)?.reach {
        case .filtered(let using, _)?: return using ?? Proof.Predicate.none
        case .denied?, nil: return Proof.Predicate.none
        case .unfiltered?, .view?: return nil
        }
    }

    func side(_ catalog: DatabaseCatalog, _ columns: [DatabaseCatalog.Column], _ role: String) -> Side {
        Side(columns: columns, functions: catalog.functions, role: role, memberships: Set(catalog.role(role)?.memberOf ?? []),
             gates: models.head.options.gates.mapValues { $0.isEmpty ? (models.head.options.adminRole ?? "") : $0 })
    }
}
