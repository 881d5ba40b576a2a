/// Two predicates of one clause, and two views.
extension Comparison {
    /// USING or WITH CHECK on both sides: nothing when the texts, the functions they call and the role's
    /// memberships and gates are equal; else
    /// `head ⊆ base` fails → widening with the witness; holds and `base ⊆ head` holds → equivalent; holds and
    /// fails → narrowing; undecided → unknown (a narrowing whose equivalence is undecided stays a narrowing).
    func clause(_ name: String, _ bp: Predicate?, _ hp: Predicate?, _ b: AccessEntry, _ h: AccessEntry) -> Change? {
        guard let bp, let hp else { return nil }
        let sameDefinitions = bp == hp && SolverSides.functionPrints(bp, in: base.catalog) == SolverSides.functionPrints(hp, in: head.catalog)
        if sameDefinitions && sameContext(h.role) { return nil }
        let before = bp.text, after = hp.text
        switch solver.entails(hp, in: headSide(h), bp, in: baseSide(b)) {
        case .fails(let witness):
            return change(.widening, b, h, clause: name, base: before, head: after, witness: witness, reason: "the head admits a row the base does not")
        case .unknown(let why):
            return change(.unknown, b, h, clause: name, base: before, head: after, reason: why)
        case .holds:
            switch solver.entails(bp, in: baseSide(b), hp, in: headSide(h)) {
            // The same text and helpers, re-checked because a membership or a gate changed, and still the same
            // rows: nothing changed for this role. A changed helper that keeps the rows is reported equivalent.
            case .holds: return sameDefinitions ? nil : change(.equivalent, b, h, clause: name, base: before, head: after,
                                                               reason: bp == hp ? "a function it calls changed; both admit the same rows" : "both admit the same rows")
            case .fails: return change(.narrowing, b, h, clause: name, base: before, head: after, reason: "the head admits fewer rows")
            case .unknown(let why):
                return change(.narrowing, b, h, clause: name, base: before, head: after, reason: "the head admits no more rows; whether fewer is undecided: \(why)")
            }
        }
    }

    /// Views are compared by their options, owner's reach and query text, not solved: a definer view whose owner
    /// now reads unfiltered is a widening; a query whose text changed (beyond white space) is `unknown`.
    func viewChanges(_ bv: ViewReach, _ hv: ViewReach, _ b: AccessEntry, _ h: AccessEntry) -> [Change] {
        var out: [Change] = []
        func add(_ kind: Change.Class, _ reason: String) {
            out.append(change(kind, b, h, base: bv.summary, head: hv.summary, reason: reason))
        }
        if bv.bypasses != hv.bypasses {
            hv.bypasses ? add(.widening, "\(h.object) now shows rows no policy filters: " + hv.ownerUnfiltered.joined(separator: "; "))
                        : add(.narrowing, "\(h.object) now shows only rows the policies admit")
        } else if bv.securityInvoker != hv.securityInvoker {
            add(.unknown, hv.securityInvoker ? "\(h.object) now runs with the caller's rights" : "\(h.object) now runs with the rights of \(hv.owner)")
        } else if bv.bypasses && Set(bv.ownerUnfiltered) != Set(hv.ownerUnfiltered) {
            add(.unknown, "what the owner of \(h.object) reads unfiltered changed: " + hv.ownerUnfiltered.joined(separator: "; "))
        }
        if !hv.securityInvoker && bv.securityBarrier != hv.securityBarrier {
            hv.securityBarrier ? add(.narrowing, "\(h.object) is now a security_barrier view")
                               : add(.widening, "\(h.object) is no longer a security_barrier view: the caller's functions see rows its WHERE removes")
        }
        if !hv.securityInvoker && h.command.checksNew && bv.checkOption != hv.checkOption {
            hv.checkOption ? add(.narrowing, "rows written through \(h.object) must now satisfy its WHERE (check option)")
                           : add(.widening, "\(h.object) lost its check option: a row its WHERE does not admit can be written through it")
        }
        if Change.oneLine(bv.definition) != Change.oneLine(hv.definition) {
            out += queryChange(bv, hv, b, h)
        }
        return out
    }

    /// A view's query changed: two simple views that select the same way compare their WHEREs with the solver;
    /// any other change is `unknown` (views are compared by text, not solved).
    func queryChange(_ bv: ViewReach, _ hv: ViewReach, _ b: AccessEntry, _ h: AccessEntry) -> [Change] {
        if let before = ViewFilter.parts(of: bv.definition), let after = ViewFilter.parts(of: hv.definition), before.select == after.select,
           let compared = clause("WHERE", .expression(before.condition), .expression(after.condition), b, h) {
            return [compared]
        }
        return [change(.unknown, b, h, base: Change.oneLine(bv.definition), head: Change.oneLine(hv.definition),
                       reason: "the query of \(h.object) changed; a view's query is compared by text unless only its WHERE changed")]
    }
}
