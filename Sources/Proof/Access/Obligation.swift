/// One thing prove must show for one role, object and command, with the solver's verdict.
public struct Obligation: Sendable, Equatable {
    public enum Kind: String, Sendable, Hashable, CaseIterable {
        /// The predicate admits only rows of the session's tenant (or, for the admin role, rows the gate opens).
        case wall
        /// With no tenant in the session (the reader NULL) and the gate shut, it admits no row: it fails closed.
        case noContext = "no-context"
        /// Nothing reaches around the predicate: RLS off, BYPASSRLS, an owner RLS is not forced on, TRUNCATE,
        /// REFERENCES, a materialized view.
        case reachesAround = "reaches-around"
        /// A view over tenant rows runs with its caller's rights, or its owner's policies keep the wall.
        case view
    }

    public var role: String
    public var object: String
    public var command: AccessCommand
    public var kind: Kind
    /// `USING` or `WITH CHECK` for the predicate obligations; nil otherwise.
    public var clause: String?
    /// `.fails` carries the counterexample; for a reach around the predicate the witness is any row the solver
    /// found of another tenant (empty when it found none: the obligation fails all the same).
    public var verdict: Verdict
    /// What was checked and, when it fails, why.
    public var detail: String

    public init(role: String, object: String, command: AccessCommand, kind: Kind, clause: String? = nil, verdict: Verdict, detail: String) {
        self.role = role
        self.object = object
        self.command = command
        self.kind = kind
        self.clause = clause
        self.verdict = verdict
        self.detail = detail
    }

    public var holds: Bool { verdict == .holds }

    /// One line for reports: `fails wall app_user public.orders SELECT USING: …`.
    public var line: String {
        let state = switch verdict { case .holds: "holds"; case .fails: "fails"; case .unknown: "unknown" }
        return "\(state) \(kind.rawValue) \(role) \(object) \(command.rawValue)" + (clause.map { " " + $0 } ?? "") + ": " + Change.oneLine(detail)
    }
}
