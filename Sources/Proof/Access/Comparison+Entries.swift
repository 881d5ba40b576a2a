/// Two entries for the same role, object and command: the grant first, then the columns, then the rows reached.
extension Comparison {
    func entry(_ b: AccessEntry, _ h: AccessEntry) -> [Change] {
        switch (b.privilege == .none, h.privilege == .none) {
        case (true, true):
            return []
        case (true, false):
            return [change(.widening, b, h, base: b.privilege.text(b.command), head: Describe.entry(h), witness: admitted(h),
                           reason: "\(h.role) can now \(h.command.rawValue) \(h.object)")]
        case (false, true):
            return [change(.narrowing, b, h, base: Describe.entry(b), head: h.privilege.text(h.command),
                           reason: "\(h.role) can no longer \(h.command.rawValue) \(h.object)")]
        case (false, false):
            return columnChanges(b, h) + reachChanges(b, h)
        }
    }

    func change(_ kind: Change.Class, _ b: AccessEntry, _ h: AccessEntry, column: String? = nil, clause: String? = nil, base: String, head: String,
                witness: Witness? = nil, reason: String) -> Change {
        Change(class: kind, role: h.role, object: h.object, command: h.command, column: column, clause: clause, base: base, head: head,
               witness: witness, reason: reason)
    }

    /// Columns granted on one side only. A table grant covers every column, a column the table gains included,
    /// so two table grants never differ by column.
    func columnChanges(_ b: AccessEntry, _ h: AccessEntry) -> [Change] {
        if b.privilege == .table && h.privilege == .table { return [] }
        let baseAll = base.catalog.table(b.object)?.columns ?? [], headAll = head.catalog.table(h.object)?.columns ?? []
        let before = b.privilege.columns(all: baseAll), after = h.privilege.columns(all: headAll)
        let gained = after.filter { !before.contains($0) }, lost = before.filter { !after.contains($0) }
        var out: [Change] = []
        if !gained.isEmpty {
            out.append(change(.widening, b, h, column: gained.joined(separator: ", "), base: b.privilege.text(b.command), head: h.privilege.text(h.command),
                              witness: admitted(h), reason: "\(h.role) can now \(h.command.rawValue) \(gained.joined(separator: ", ")) of \(h.object)"))
        }
        if !lost.isEmpty {
            out.append(change(.narrowing, b, h, column: lost.joined(separator: ", "), base: b.privilege.text(b.command), head: h.privilege.text(h.command),
                              reason: "\(h.role) can no longer \(h.command.rawValue) \(lost.joined(separator: ", ")) of \(h.object)"))
        }
        return out
    }

    func reachChanges(_ b: AccessEntry, _ h: AccessEntry) -> [Change] {
        let before = Describe.reach(b.reach), after = Describe.reach(h.reach)
        switch (b.reach, h.reach) {
        case (.denied, .denied), (.unfiltered, .unfiltered):
            return []
        case (.denied, _):
            return [change(.widening, b, h, base: before, head: after, witness: admitted(h), reason: "\(h.role) now reaches rows of \(h.object)")]
        case (_, .denied):
            return [change(.narrowing, b, h, base: before, head: after, reason: "\(h.role) no longer reaches rows of \(h.object)")]
        case let (.filtered(using, check), .unfiltered(why)):
            return [change(.widening, b, h, base: before, head: after, witness: outside([using, check], b), reason: why)]
        case let (.unfiltered, .filtered(using, check)):
            let always = [using, check].compactMap { $0 }.allSatisfy { predicate in
                if case .constant(let value) = predicate { return value }
                return solver.entails(.all, in: headSide(h), predicate, in: headSide(h)) == .holds
            }
            return [change(always ? .equivalent : .narrowing, b, h, base: before, head: after,
                           reason: always ? "the policies admit every row" : "row-level security now filters \(h.role) on \(h.object)")]
        case let (.filtered(bu, bc), .filtered(hu, hc)):
            let using = clause("USING", bu, hu, b, h)
            // UPDATE's WITH CHECK is most often its USING on both sides: the same verdict, not solved twice.
            if bu != nil && bc == bu && hc == hu { return [using, using.map { var c = $0; c.clause = "WITH CHECK"; return c }].compactMap { $0 } }
            return [using, clause("WITH CHECK", bc, hc, b, h)].compactMap { $0 }
        case let (.view(bv), .view(hv)):
            return viewChanges(bv, hv, b, h)
        default:
            return [change(.unknown, b, h, base: before, head: after, reason: "\(h.object) changed kind")]
        }
    }

    /// A row and context the entry admits (nil when the solver finds none or cannot tell): the witness for a
    /// command or column the role could not use before.
    func admitted(_ h: AccessEntry) -> Witness? {
        switch h.reach {
        case .unfiltered, .view: return witness(solver.entails(.all, in: headSide(h), .none, in: headSide(h)))
        case .filtered(let using, let check): return [using, check].compactMap { $0 }.lazy.compactMap { witness(solver.entails($0, in: headSide(h), .none, in: headSide(h))) }.first
        case .denied: return nil
        }
    }

    /// A row the base's predicates keep out (for a reach that became unfiltered).
    func outside(_ predicates: [Predicate?], _ b: AccessEntry) -> Witness? {
        predicates.compactMap { $0 }.lazy.compactMap { witness(solver.entails(.all, in: baseSide(b), $0, in: baseSide(b))) }.first
    }

    func witness(_ verdict: Verdict) -> Witness? {
        if case .fails(let witness) = verdict { return witness }
        return nil
    }
}
