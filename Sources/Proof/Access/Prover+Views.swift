/// The obligations of a view over tenant rows.
extension Prover {
    /// Holds when the view runs with its caller's rights (the tables' own obligations apply). Otherwise, when its
    /// owner reads unfiltered (or what it reads is unknown), the view's own WHERE is the wall: it must imply the
    /// wall, admit nothing without a tenant, and a view written through must have a check option. When the owner
    /// is filtered on every table read, its policies (with the owner as current_user) must imply the wall.
    func view(_ view: ViewReach) -> [Obligation] {
        if view.securityInvoker {
            return [obligation(.view, .holds, "\(entry.object) runs with the caller's rights: the policies of \(view.reads.joined(separator: ", ")) apply")]
        }
        guard view.ownerUnfiltered.isEmpty && !view.reads.isEmpty else { return ownFilter(view) }
        return [ownerPolicies(view)]
    }

    /// A definer view whose owner reads unfiltered: its WHERE is all that keeps the wall.
    func ownFilter(_ view: ViewReach) -> [Obligation] {
        let rights = "\(entry.object) runs with the rights of \(view.owner)"
            + (view.ownerUnfiltered.isEmpty ? ", reading relations the catalog does not list" : ", who reads unfiltered: " + view.ownerUnfiltered.joined(separator: "; "))
        guard let condition = view.condition else {
            let verdict: Verdict = view.ownerUnfiltered.isEmpty ? .unknown("the query of \(entry.object) is not a simple filtered SELECT") : .fails(anyRow(role: view.owner))
            return [obligation(.view, verdict, rights + ", and its query has no simple WHERE to hold to the wall")]
        }
        if entry.command.checksNew && !view.checkOption {
            return [obligation(.view, .fails(anyRow(role: entry.role)), rights + ", and without a check option a row of any tenant can be written through it")]
        }
        let filter = Predicate.expression(condition)
        guard let wall, let noContext else {
            return [obligation(.view, .unknown("no reader expression given: the tenant wall cannot be stated"), rights + "; WHERE " + condition)]
        }
        return [obligation(.wall, clause: "WHERE", solver.entails(filter, in: side, wall, in: side), rights + "; its WHERE \(condition) implies \(wall.text)"),
                obligation(.noContext, clause: "WHERE", solver.entails(filter, in: side, .none, in: side, assuming: noContext),
                           rights + "; its WHERE \(condition) admits no row when \(noContext.text)")]
    }

    /// A definer view whose owner is filtered on every table it reads: each of the owner's predicates must imply
    /// the wall, checked with the owner as current_user.
    func ownerPolicies(_ view: ViewReach) -> Obligation {
        let owner = RoleFacts(view.owner, in: catalog)
        for name in view.reads {
            guard let read = catalog.table(name), case .filtered(let using?, _) = AccessModel.tableReach(of: owner, on: read, for: .select, in: catalog) else { continue }
            let prover = Prover(entry: entry, table: read, options: options, catalog: catalog, solver: solver)
            guard let wall = prover.wall else { return obligation(.view, .unknown("no reader expression given"), using.text) }
            let verdict = solver.entails(using, in: prover.side(role: view.owner), wall, in: prover.side(role: view.owner))
            if verdict != .holds {
                return obligation(.view, verdict, "\(entry.object) reads \(name) as \(view.owner), filtered by \(using.text), which must imply \(wall.text)")
            }
        }
        return obligation(.view, .holds, "\(entry.object) runs as \(view.owner), whose policies on \(view.reads.joined(separator: ", ")) keep the wall")
    }
}
