import Catalog
import Proof

/// The comparison of two built sides: each catalog read into Proof's `AccessModel` with the same options,
/// compared by `AccessDiff` with the solver, each `Change` turned into the report's `ReviewChange` (its witness
/// kept apart for the runner).
struct ReviewComparison {
    /// A change before its witness has run.
    struct Pending {
        var change: ReviewChange
        var witness: Witness?
    }

    let base: AccessModel
    let head: AccessModel

    init(base: BuiltSide, head: BuiltSide, options: AccessOptions) {
        self.base = AccessModel(catalog: base.catalog, options: options)
        self.head = AccessModel(catalog: head.catalog, options: options)
    }

    /// Every change, and how many entries were the same on both sides (left to no solver at all).
    func compare(base baseSide: BuiltSide, head headSide: BuiltSide, solver: PredicateSolver) -> (changes: [Pending], identical: Int) {
        let changes = AccessDiff.compare(base: (base, baseSide.catalog), head: (head, headSide.catalog), solver: solver)
        let identical = Set(base.entries).intersection(head.entries).count
        return (changes.map(Self.pending), identical)
    }

    static func pending(_ change: Change) -> Pending {
        let kind: ReviewChange.Class
        switch change.class {
        case .widening: kind = .widening
        case .narrowing: kind = .narrowing
        case .equivalent: kind = .equivalent
        case .unknown: kind = .unknown
        case .added: kind = .added
        case .removed: kind = .removed
        }
        var review = ReviewChange(kind: kind, role: change.role, object: change.object, command: change.command.rawValue, column: change.column,
                                  base: change.base, head: change.head, reason: change.reason)
        review.clause = change.clause
        return Pending(change: review, witness: change.witness)
    }

    /// The predicates an entry filters by (none for an entry that is denied, unfiltered or a view).
    static func predicates(_ entry: AccessEntry?) -> [Predicate] {
        guard case .filtered(let using, let check)? = entry?.reach else { return [] }
        return [using, check].compactMap { $0 }
    }

    /// A side's entries by reach: `denied`, `filtered`, `unfiltered`, `view`.
    static func counts(_ model: AccessModel) -> [String: Int] {
        var counts: [String: Int] = [:]
        for entry in model.entries {
            switch entry.reach {
            case .denied: counts["denied", default: 0] += 1
            case .unfiltered: counts["unfiltered", default: 0] += 1
            case .filtered: counts["filtered", default: 0] += 1
            case .view: counts["view", default: 0] += 1
            }
        }
        return counts
    }
}
