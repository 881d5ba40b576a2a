import Catalog

/// Compares two access models (a review's base and head) entry by entry and classifies every difference.
///
/// Entries with the same privilege and reach, whose predicates have the same texts and call functions that did
/// not change, produce nothing: most of a review is skipped without the solver. Every other difference is one
/// `Change`: grants and reaches are compared directly; two predicates by the solver, both ways (`head ⊆ base`
/// fails: a widening with its witness; `base ⊆ head` fails too: a narrowing; both hold: equivalent).
///
/// Usage:
/// ```swift
/// let changes = AccessDiff.compare(base: (baseModel, baseCatalog), head: (headModel, headCatalog), solver: PredicateSolver())
/// for change in changes where change.class == .widening { print(change.line) }
/// ```
public enum AccessDiff {
    public typealias State = (model: AccessModel, catalog: DatabaseCatalog)

    /// Both catalogs read into models with the same options (review's usual case), then compared.
    public static func compare(base: DatabaseCatalog, head: DatabaseCatalog, options: AccessOptions,
                               solver: PredicateSolver = PredicateSolver()) -> [Change] {
        compare(base: (AccessModel(catalog: base, options: options), base), head: (AccessModel(catalog: head, options: options), head), solver: solver)
    }

    /// Every change from `base` to `head`, by object, role and command. A role or object on one side only is
    /// `added` (unless prove's obligations fail for it: then a widening with their witness) or `removed`.
    public static func compare(base: State, head: State, solver: PredicateSolver = PredicateSolver()) -> [Change] {
        let comparison = Comparison(base: base, head: head, solver: solver)
        let baseObjects = Set(base.model.objects), headObjects = Set(head.model.objects)
        let roles = Set(base.model.roles).union(head.model.roles).sorted()
        var changes: [Change] = []
        for object in baseObjects.union(headObjects).sorted() {
            for role in roles {
                for command in AccessCommand.allCases {
                    switch (base.model.entry(role: role, object: object, command: command), head.model.entry(role: role, object: object, command: command)) {
                    case let (b?, h?): changes += comparison.entry(b, h)
                    case let (nil, h?): changes += comparison.added(h)
                    case let (b?, nil): changes += comparison.removed(b, objectDropped: !headObjects.contains(object))
                    case (nil, nil): break
                    }
                }
            }
        }
        return changes
    }
}

/// One comparison's two states and solver, with the sides the solver reads.
struct Comparison: Sendable {
    let base: AccessDiff.State
    let head: AccessDiff.State
    let solver: PredicateSolver

    /// Both sides share the head table's columns (the base's for a dropped table), so a column is one value.
    func columns(_ object: String) -> [DatabaseCatalog.Column] {
        SolverSides.columns(of: head.catalog.table(object) ?? base.catalog.table(object))
    }

    func baseSide(_ entry: AccessEntry) -> Side {
        SolverSides.side(columns: columns(entry.object), catalog: base.catalog, role: entry.role, options: base.model.options, gates: baseGates)
    }

    /// The base's gates, less those whose function changed: both sides then read its two bodies as they are.
    var baseGates: [String: String] {
        SolverSides.unchangedGates(base.model.options.sideGates, base: base.catalog, head: head.catalog)
    }

    func headSide(_ entry: AccessEntry) -> Side {
        SolverSides.side(columns: columns(entry.object), catalog: head.catalog, role: entry.role, options: head.model.options, gates: headGates)
    }

    /// The head's gates, less those whose function changed (`SolverSides.unchangedGates`): a gate is trusted to
    /// open for its role alone because of its body, which is no longer the one that earned the trust.
    var headGates: [String: String] {
        SolverSides.unchangedGates(head.model.options.sideGates, base: base.catalog, head: head.catalog)
    }

    /// Nothing but the predicate's text can change what it admits: same memberships, same gates.
    func sameContext(_ role: String) -> Bool {
        SolverSides.sameContext(role, base: base.catalog, head: head.catalog, baseGates: base.model.options.sideGates, headGates: head.model.options.sideGates)
            && baseGates == base.model.options.sideGates
    }

    /// A new object or role: `added` while prove's obligations hold for it; a widening with the failing
    /// obligation's witness when one fails; `unknown` when the solver cannot tell.
    func added(_ h: AccessEntry) -> [Change] {
        guard h.privilege != .none, h.reach != .denied else { return [] }
        if base.catalog.table(h.object) != nil, base.catalog.role(h.role)?.superuser == true {
            return [Change(class: .narrowing, role: h.role, object: h.object, command: h.command, base: "\(h.command.rawValue): all rows (\(h.role) was a superuser)",
                           head: Describe.entry(h), reason: "\(h.role) is no longer a superuser")]
        }
        let obligations = ProofObligations.obligations(for: h, model: head.model, catalog: head.catalog, solver: solver)
        var change = Change(class: .added, role: h.role, object: h.object, command: h.command, base: "absent", head: Describe.entry(h),
                            reason: obligations.isEmpty ? "new" : "new, inside the tenant wall")
        if let failed = obligations.first(where: { if case .fails = $0.verdict { true } else { false } }), case .fails(let witness) = failed.verdict {
            change.class = .widening
            // An obligation that fails without the solver's row (RLS off, say) has an empty witness: nothing to run.
            change.witness = witness.row.isEmpty && witness.context.isEmpty ? nil : witness
            change.reason = "new, and it breaks the tenant wall: " + failed.detail
        } else if let undecided = obligations.first(where: { if case .unknown = $0.verdict { true } else { false } }), case .unknown(let why) = undecided.verdict {
            change.class = .unknown
            change.reason = "new, and whether it stays inside the tenant wall is undecided: " + why
        }
        return [change]
    }

    /// An entry gone from the head: the object or role was dropped (`removed`), or the role became a superuser,
    /// which the model leaves out because nothing binds it: a widening of every command it had not held unfiltered.
    func removed(_ b: AccessEntry, objectDropped: Bool) -> [Change] {
        if !objectDropped, head.catalog.role(b.role)?.superuser == true {
            if case .unfiltered = b.reach { return [] }
            return [Change(class: .widening, role: b.role, object: b.object, command: b.command, base: Describe.entry(b),
                           head: "\(b.command.rawValue): all rows (\(b.role) is a superuser)", reason: "\(b.role) became a superuser")]
        }
        guard b.privilege != .none, b.reach != .denied else { return [] }
        return [Change(class: .removed, role: b.role, object: b.object, command: b.command, base: Describe.entry(b), head: "absent",
                       reason: objectDropped ? "\(b.object) was dropped" : "\(b.role) was dropped")]
    }
}
