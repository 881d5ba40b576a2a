import CZ3

/// One Z3 solver in a `Z3Context`, with the per-check timeout set through Z3's parameters.
final class Z3Solver {
    enum Outcome { case satisfiable, unsatisfiable, undecided(String) }

    let context: Z3Context
    private let raw: Z3_solver
    private var model: Z3_model?

    init(_ context: Z3Context, timeoutMilliseconds: Int) {
        self.context = context
        let ctx = context.raw
        raw = Z3_mk_simple_solver(ctx)
        Z3_solver_inc_ref(ctx, raw)
        let params = Z3_mk_params(ctx)!
        Z3_params_inc_ref(ctx, params)
        Z3_params_set_uint(ctx, params, Z3_mk_string_symbol(ctx, "timeout"), UInt32(clamping: max(1, timeoutMilliseconds)))
        Z3_solver_set_params(ctx, raw, params)
        Z3_params_dec_ref(ctx, params)
    }

    deinit {
        releaseModel()
        Z3_solver_dec_ref(context.raw, raw)
    }

    func assert(_ term: Z3_ast) { context.call { Z3_solver_assert($0, raw, term) } }
    func push() { context.call { Z3_solver_push($0, raw) } }
    func pop() { context.call { Z3_solver_pop($0, raw, 1) } }

    /// Checks the assertions with `assumptions` taken as true; when unsatisfiable, `core` is the subset of
    /// them that cannot all hold.
    func check(assuming assumptions: [Z3_ast]) -> (Outcome, core: [Z3_ast]) {
        if let error = context.error { return (.undecided(error.description), []) }
        releaseModel()
        let result = context.call { ctx in (assumptions as [Z3_ast?]).withUnsafeBufferPointer {
            Z3_solver_check_assumptions(ctx, raw, UInt32($0.count), $0.baseAddress)
        } } ?? Z3_L_UNDEF
        switch result {
        case Z3_L_TRUE:
            model = context.call { Z3_solver_get_model($0, raw) }
            if let model { Z3_model_inc_ref(context.raw, model) }
            return (.satisfiable, [])
        case Z3_L_FALSE:
            guard let vector = context.call({ Z3_solver_get_unsat_core($0, raw) }) else { return (.unsatisfiable, []) }
            Z3_ast_vector_inc_ref(context.raw, vector)
            defer { Z3_ast_vector_dec_ref(context.raw, vector) }
            let core = (0..<Z3_ast_vector_size(context.raw, vector)).compactMap { Z3_ast_vector_get(context.raw, vector, $0) }
            return (.unsatisfiable, core)
        default:
            return (.undecided("timeout"), [])
        }
    }

    /// Checks the assertions; a Z3 error (recorded by the context) or a timeout is `.undecided` with the reason.
    func check() -> Outcome {
        if let error = context.error { return .undecided(error.description) }
        releaseModel()
        let result = context.call { Z3_solver_check($0, raw) } ?? Z3_L_UNDEF
        if let error = context.error { return .undecided(error.description) }
        switch result {
        case Z3_L_TRUE:
            model = context.call { Z3_solver_get_model($0, raw) }
            if let model { Z3_model_inc_ref(context.raw, model) }
            return .satisfiable
        case Z3_L_FALSE:
            return .unsatisfiable
        default:
            let reason = context.call { Z3_solver_get_reason_unknown($0, raw) }.map { String(cString: $0) } ?? "unknown"
            return .undecided(reason == "canceled" || reason == "timeout" ? "timeout" : reason)
        }
    }

    /// The value of a term in the last satisfying model, completed (unconstrained variables get a value).
    func evaluate(_ term: Z3_ast, completion: Bool = true) -> Z3_ast? {
        guard let model else { return nil }
        var out: Z3_ast?
        let ok = context.call { Z3_model_eval($0, model, term, completion, &out) } ?? false
        return ok ? out : nil
    }

    private func releaseModel() {
        if let model { Z3_model_dec_ref(context.raw, model) }
        model = nil
    }
}

extension Z3Context {
    /// Reads a ground term: a Bool, an Int or a String literal; nil for anything else.
    func literal(_ term: Z3_ast) -> Literal? {
        switch Z3_get_sort_kind(raw, Z3_get_sort(raw, term)) {
        case Z3_BOOL_SORT:
            let value = Z3_get_bool_value(raw, term)
            return value == Z3_L_TRUE ? .bool(true) : value == Z3_L_FALSE ? .bool(false) : nil
        case Z3_INT_SORT:
            guard Z3_is_numeral_ast(raw, term) else { return nil }
            var value: Int64 = 0
            return Z3_get_numeral_int64(raw, term, &value) ? .int(Int(value)) : nil
        case Z3_SEQ_SORT:
            guard Z3_is_string(raw, term) else { return nil }
            var length: UInt32 = 0
            guard let pointer = Z3_get_lstring(raw, term, &length) else { return nil }
            let bytes = UnsafeRawBufferPointer(start: pointer, count: Int(length))
            return .string(String(decoding: bytes, as: UTF8.self))
        default:
            return nil
        }
    }

    /// How Z3 prints a term (for values of the opaque sort: `opaque!val!0`).
    func text(_ term: Z3_ast) -> String { String(cString: Z3_ast_to_string(raw, term)) }
}
