import CZ3

/// One SQL value in the solver: its term, whether it is NULL, and whether computing it raised an error.
///
/// Three-valued logic lives here: a boolean value is TRUE when it is neither NULL nor in error and its term is
/// true. A policy admits a row only then, so NULL and errors admit nothing. Errors are sticky through operators
/// (PostgreSQL gives no order of evaluation to rely on) and lazy only where SQL promises it: CASE and COALESCE.
struct SQLValue {
    var type: SQLType
    /// Sort: Int for `.int`, Bool for `.bool`, the opaque sort for `.opaque`, String otherwise. Meaningless when NULL.
    var term: Z3_ast
    var isNull: Z3_ast
    var isError: Z3_ast
    /// Reads a column of the row (so a function called on it is not a context value).
    var rowDependent: Bool
    /// The text of an untyped string literal (`'abc'` before it takes a type from what it meets).
    var literal: String?
}

/// Three-valued logic over `SQLValue`s.
struct Logic {
    let z3: Z3Context

    func value(_ type: SQLType, _ term: Z3_ast, null: Z3_ast? = nil, error: Z3_ast? = nil, from operands: [SQLValue] = []) -> SQLValue {
        SQLValue(type: type, term: term, isNull: null ?? z3.or(operands.map(\.isNull)),
                 isError: z3.or(operands.map(\.isError) + (error.map { [$0] } ?? [])),
                 rowDependent: operands.contains(where: \.rowDependent), literal: nil)
    }

    func constant(_ value: Bool) -> SQLValue { self.value(.bool, z3.bool(value), null: z3.bool(false)) }
    func null(_ type: SQLType) -> SQLValue {
        let term: Z3_ast
        switch type {
        case .int: term = z3.int(0)
        case .bool: term = z3.bool(false)
        case .opaque: term = z3.variable("null-opaque", z3.opaqueSort)
        default: term = z3.string("")
        }
        return value(type, term, null: z3.bool(true))
    }

    /// TRUE: not NULL, no error, true.
    func isTrue(_ v: SQLValue) -> Z3_ast { z3.and([z3.not(v.isError), z3.not(v.isNull), v.term]) }
    func isFalse(_ v: SQLValue) -> Z3_ast { z3.and([z3.not(v.isNull), z3.not(v.term)]) }

    /// AND: FALSE when any operand is FALSE (even if another failed: some order of evaluation stops there),
    /// else an error when any failed, else TRUE when all are TRUE, else NULL.
    func and(_ values: [SQLValue]) -> SQLValue { combine(values, decidedBy: false) }

    /// OR: TRUE when any operand is TRUE, else an error when any failed, else FALSE when all are, else NULL.
    func or(_ values: [SQLValue]) -> SQLValue { combine(values, decidedBy: true) }

    private func combine(_ values: [SQLValue], decidedBy decisive: Bool) -> SQLValue {
        let clean = values.map { v in z3.and([z3.not(v.isError), z3.not(v.isNull)]) }
        let decided = z3.or(zip(values, clean).map { v, ok in z3.and([ok, decisive ? v.term : z3.not(v.term)]) })
        let failed = z3.and([z3.not(decided), z3.or(values.map(\.isError))])
        let allOther = z3.and(zip(values, clean).map { v, ok in z3.and([ok, decisive ? z3.not(v.term) : v.term]) })
        let null = z3.and([z3.not(decided), z3.not(failed), z3.not(allOther)])
        var out = value(.bool, decisive ? decided : allOther, null: null, from: values)
        out.isError = failed
        return out
    }

    func not(_ v: SQLValue) -> SQLValue { value(.bool, z3.not(v.term), from: [v]) }

    /// `IS NULL` and friends: never NULL themselves.
    func test(_ term: Z3_ast, of v: SQLValue) -> SQLValue { value(.bool, term, null: z3.bool(false), from: [v]) }

    /// `IS [NOT] DISTINCT FROM`: NULL equals NULL, never NULL.
    func distinct(_ a: SQLValue, _ b: SQLValue) -> SQLValue {
        let bothNull = z3.and([a.isNull, b.isNull])
        let sameValue = z3.and([z3.not(a.isNull), z3.not(b.isNull), z3.eq(a.term, b.term)])
        return value(.bool, z3.not(z3.or([bothNull, sameValue])), null: z3.bool(false), from: [a, b])
    }

    /// `CASE`: the first branch whose condition is TRUE; errors only from what is evaluated.
    func choose(_ branches: [(condition: SQLValue, result: SQLValue)], otherwise: SQLValue) -> SQLValue {
        var result = otherwise
        for branch in branches.reversed() {
            let taken = isTrue(branch.condition)
            result = SQLValue(type: otherwise.type, term: z3.ite(taken, branch.result.term, result.term),
                              isNull: z3.ite(taken, branch.result.isNull, result.isNull),
                              isError: z3.or([branch.condition.isError, z3.ite(taken, branch.result.isError, result.isError)]),
                              rowDependent: result.rowDependent || branch.result.rowDependent || branch.condition.rowDependent,
                              literal: nil)
        }
        return result
    }

    /// `COALESCE`: the first value that is not NULL.
    func coalesce(_ values: [SQLValue]) -> SQLValue {
        guard var result = values.last else { return null(.unknown) }
        for v in values.dropLast().reversed() {
            result = SQLValue(type: result.type, term: z3.ite(v.isNull, result.term, v.term), isNull: z3.and([v.isNull, result.isNull]),
                              isError: z3.or([v.isError, z3.and([v.isNull, result.isError])]),
                              rowDependent: v.rowDependent || result.rowDependent, literal: nil)
        }
        return result
    }
}
