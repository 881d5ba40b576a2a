import CZ3

/// Decides, with Z3, whether one predicate admits only rows another admits.
///
/// Usage:
/// ```swift
/// let solver = PredicateSolver()
/// switch solver.entails(head, in: headSide, base, in: baseSide) {
/// case .holds: …            // head admits nothing base does not
/// case .fails(let w): …     // w: a row and context head admits and base does not
/// case .unknown(let why): …
/// }
/// ```
///
/// What it models and where it approximates. Over-approximations only add widenings the witness run then
/// fails to confirm; the ones marked (can miss) may hide a widening:
/// - uuids are strings; "is a uuid" is a predicate of the solver's choosing that excludes `''`, and a uuid read
///   as text (LIKE, ordering) holds only `[0-9a-f-]`.
/// - (can miss) casting text to uuid does not lowercase it; citext compares case-sensitively; char(n) is not
///   padded; `expr || '%'` patterns take the value's own `%` and `_` literally.
/// - enum labels are any text (a witness may need a real label); decimal constants are unreadable (`unknown`).
/// - an unqualified call is resolved by name and argument count (fewer where defaults fill the rest), not by
///   search_path or argument types; an SQL function with one expression as its body (`SELECT`, `RETURN`,
///   `BEGIN ATOMIC`) is inlined with its parameters bound to the call's values, so a constant setting name
///   passed to a helper is read as that setting.
/// - an error (a cast PostgreSQL rejects) admits nothing. OR is TRUE when any operand is TRUE even if another
///   fails, AND FALSE when any operand is FALSE: PostgreSQL promises no order of evaluation, so this is the
///   order that stops first, read the same way on both sides (an erroring branch never adds a row, and two
///   identical predicates stay equivalent). A witness that needs that order may raise when run: the runner
///   then does not confirm it. Witnesses avoid errors where they can.
/// - `x = ANY (array)` reads through ARRAY[…], casts, scalar sub-selects, CASE and inlined SQL functions; any
///   other array (a function reading a table, such as `admin_tenant_ids()`) is a value the solver does not
///   look into, its membership free: `holds` then means for every content it could have, so it hides no
///   widening, and a counterexample that needs a content is never confirmed.
///
/// Each check takes a Z3 context of its own from a pool (so the solver is `Sendable` and checks may run on
/// many threads); parsed expressions are cached across checks.
public struct PredicateSolver: Sendable {
    /// Per check, in milliseconds.
    public var timeoutMilliseconds: Int

    public init(timeoutMilliseconds: Int = 2_000) {
        self.timeoutMilliseconds = timeoutMilliseconds
    }

    /// Holds when every row and context for which `premise` is true (and `assuming` is true) makes `conclusion`
    /// true too. Columns are shared by name; settings, context functions and gates by name, so the two sides
    /// read the same world. SQL's NULL counts: a policy admits a row only when its predicate is true.
    public func entails(_ premise: Predicate, in premiseSide: Side, _ conclusion: Predicate, in conclusionSide: Side,
                        assuming: Predicate = .all) -> Verdict {
        Z3ContextPool.shared.using { check(premise, in: premiseSide, conclusion, in: conclusionSide, assuming: assuming, $0) }
    }

    /// One check in one context; the solver and its model are gone when it returns, so the context can serve
    /// the next check.
    private func check(_ premise: Predicate, in premiseSide: Side, _ conclusion: Predicate, in conclusionSide: Side,
                       assuming: Predicate, _ z3: Z3Context) -> Verdict {
        let translator = Translator(z3)
        let solver = Z3Solver(z3, timeoutMilliseconds: timeoutMilliseconds)
        let admitted: Z3_ast, assumed: Z3_ast, concluded: Z3_ast
        do {
            try translator.remember(premise, premiseSide)
            try translator.remember(assuming, premiseSide)
            try translator.remember(conclusion, conclusionSide)
            admitted = try translator.admits(premise, in: premiseSide)
            assumed = try translator.admits(assuming, in: premiseSide)
            concluded = try translator.admits(conclusion, in: conclusionSide)
            for constraint in translator.allConstraints { solver.assert(constraint) }
            solver.assert(admitted)
            solver.assert(assumed)
            solver.assert(z3.not(concluded))
        } catch let error as Unreadable {
            return .unknown(error.description)
        } catch {
            return .unknown("\(error)")
        }
        switch solver.check() {
        case .unsatisfiable: return .holds
        case .undecided(let why): return .unknown("the solver could not decide: \(why)")
        case .satisfiable:
            let columns = premiseSide.columns + conclusionSide.columns.filter { c in !premiseSide.columns.contains { $0.name == c.name } }
            let goal = z3.and([admitted, assumed, z3.not(concluded)])
            let noError = z3.not(z3.or(translator.errors))
            let builder = WitnessBuilder(solver: solver, variables: translator.variables, logic: translator.logic,
                                         preferences: [noError], uuidReads: translator.uuidReads)
            return .fails(builder.build(columns: columns, goal: goal, constraints: translator.allConstraints))
        }
    }
}
