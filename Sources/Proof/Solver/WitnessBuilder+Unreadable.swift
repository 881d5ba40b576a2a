import CZ3

/// Values of a witness no statement can set: an opaque value (`opaque:…`, a sub-select or operator the solver
/// does not read) and a function's result of a type the solver does not model (`admin_tenant_ids()`, a
/// `uuid[]`). A witness that names one cannot be run; one that does not need them should not name them.
extension WitnessBuilder {
    /// The context keys of the unreadable values when the goal holds whatever they are, everything else as the
    /// model has it (the row, the settings, the functions' results); empty when the goal may need them.
    func unneededUnreadable(_ goal: Z3_ast, constraints: [Z3_ast]) -> Set<String> {
        let unreadable = variables.orderedContext.filter { Self.isUnreadable($0.key, $0.entry) }
        guard !unreadable.isEmpty else { return [] }
        var from: [Z3_ast] = [], to: [Z3_ast] = []
        for (i, item) in unreadable.enumerated() {
            from += [item.entry.term, item.entry.isNull]
            to += [z3.variable("free!\(i)", sort(of: item.entry)), z3.variable("free-null!\(i)", z3.boolSort)]
        }
        // The model fixes everything but the freed values: evaluated without completion, what is left is a
        // condition on them alone, which must hold for all of them.
        let terms = ([goal] + constraints).compactMap { solver.evaluate(z3.substitute($0, from, to), completion: false) }
        guard terms.count == constraints.count + 1 else { return [] }
        let check = Z3Solver(z3, timeoutMilliseconds: 500)
        for constraint in terms.dropFirst() { check.assert(constraint) }
        check.assert(z3.not(terms[0]))
        guard case .unsatisfiable = check.check() else { return [] }
        return Set(unreadable.map(\.key))
    }

    private func sort(of entry: Variables.Entry) -> Z3_sort {
        switch entry.type {
        case .int: return z3.intSort
        case .bool: return z3.boolSort
        case .opaque: return z3.opaqueSort
        case .text, .uuid, .unknown: return z3.stringSort
        }
    }

    static func isUnreadable(_ key: String, _ entry: Variables.Entry) -> Bool {
        key.hasPrefix("opaque:") || entry.type == .opaque
    }
}
