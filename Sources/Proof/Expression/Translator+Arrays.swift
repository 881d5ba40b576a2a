import CZ3

/// `x = ANY (array)` and `x <> ALL (array)` over a computed array, as tenantwall's walled views filter:
/// `tenant_id = ANY ((SELECT CASE WHEN pg_has_role(…) THEN CASE WHEN admin_mode_enabled() THEN admin_tenant_ids()
/// ELSE ARRAY[current_tenant_id()] END ELSE ARRAY[current_tenant_id()] END)::uuid[])`.
///
/// The membership is read through the forms that choose or convert an array: `ARRAY[…]` is its list (the
/// `= ANY` of each element), a cast to `type[]` casts each element, a scalar sub-select with no FROM is its
/// expression, CASE chooses among the memberships of its branches, an SQL function is inlined. Any other array
/// (`admin_tenant_ids()`, whose body reads a table; an array column) is a value the solver does not look into,
/// and the membership in it an uninterpreted predicate of the subject and that value: the same on both sides
/// when the value is (same function, same body), and otherwise free. A free value is not an approximation in
/// either direction: `holds` means "for every set it could be", so it never hides a widening, and a `fails`
/// that needs a particular set is a witness no statement can set, which the runner does not confirm.
extension Translator {
    func membership(_ op: String, _ subject: Expr, _ array: Expr, all: Bool, casts: [String] = [], _ scope: Scope) throws -> SQLValue {
        switch array {
        case .array(let items):
            let typed = items.map { item in casts.reduce(item) { Expr.cast($0, $1) } }
            return try translate(.anyOf(op, subject, typed, all: all), scope)
        case .cast(let inner, let type) where type.hasSuffix("[]"):
            return try membership(op, subject, inner, all: all, casts: [String(type.dropLast(2))] + casts, scope)
        case .scalarSelect(let inner):
            return try membership(op, subject, inner, all: all, casts: casts, scope)
        case .literal(.null):
            // `x = ANY (NULL)` is NULL, whatever x is.
            let x = try translate(subject, scope)
            return logic.value(.bool, z3.bool(false), null: z3.bool(true), from: [x])
        case .caseWhen(let caseSubject, let branches, let otherwise):
            let conditions = try branches.map { branch -> SQLValue in
                guard let caseSubject else { return try boolean(branch.condition, scope) }
                return try translate(.compare("=", caseSubject, branch.condition), scope)
            }
            let results = try (branches.map(\.result) + [otherwise ?? .literal(.null)]).map {
                try membership(op, subject, $0, all: all, casts: casts, scope)
            }
            return logic.choose(zip(conditions, results).map { ($0, $1) }, otherwise: results[results.count - 1])
        case .call(let name, let args):
            if scope.side.gates[name.joined(separator: ".")] == nil,
               let function = FunctionLookup.find(name, arguments: args.count, in: scope.side.functions),
               let (body, inner) = try inlined(function, try argumentValues(args, of: function, scope), scope) {
                let returned = FunctionLookup.returnType(function) == .opaque ? [] : casts
                return try membership(op, subject, body, all: all, casts: returned, scope)
            }
            return try opaqueMembership(op, subject, array, all: all, scope)
        default:
            return try opaqueMembership(op, subject, array, all: all, scope)
        }
    }

    /// Membership in an array the solver does not look into: an uninterpreted predicate of the subject and
    /// the array, NULL when the array is, and otherwise maybe NULL (a NULL element, or a NULL subject).
    private func opaqueMembership(_ op: String, _ subject: Expr, _ array: Expr, all: Bool, _ scope: Scope) throws -> SQLValue {
        let x = try translate(subject, scope)
        let a = try translate(array, scope, hint: .opaque)
        let key = "\(op) \(all ? "ALL" : "ANY")/\(x.type)/\(a.type)"
        if [.text, .uuid, .unknown].contains(x.type) { z3.readsText = true }
        let domain = [sort(x.type), sort(a.type)]
        let term = z3.apply(key, [x.term, a.term], domain: domain, range: z3.boolSort)
        let null = z3.apply(key + "#null", [x.term, a.term], domain: domain, range: z3.boolSort)
        var v = logic.value(.bool, term, null: z3.or([a.isNull, null]), from: [x, a])
        v.rowDependent = true
        return v
    }
}
