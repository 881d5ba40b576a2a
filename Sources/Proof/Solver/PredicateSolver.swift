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
        .unknown("the solver is not built yet")
    }
}
