/// A row and a context that one predicate admits and another does not: the solver's counterexample, turned
/// into values anyone can paste into SQL.
public struct Witness: Sendable, Equatable {
    /// Column name → a typed SQL literal (`'…'::uuid`, `42`, `true`), nil for NULL. Every column of the table.
    public var row: [String: String?]
    /// The context the statement runs in, by variable: `setting:app.tenant_id` (the text `current_setting`
    /// returns, nil when unset), `function:desk.current_tenant_id()` (what a context function returns),
    /// `gate:desk.admin_mode_enabled` (`true`/`false`), `opaque:<key>` (a value the solver had to assume).
    public var context: [String: String?]

    public init(row: [String: String?], context: [String: String?]) {
        self.row = row
        self.context = context
    }
}

/// What the solver concluded about an obligation.
public enum Verdict: Sendable, Equatable {
    /// Proved for every row and context.
    case holds
    /// Refuted: this row and context break it.
    case fails(Witness)
    /// Undecided (timeout, an expression the solver cannot read): always reported, never taken as a pass.
    case unknown(String)
}
