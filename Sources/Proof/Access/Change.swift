/// One difference between two access models, classified: what review reports, one per role × object × command
/// (and per column or clause where those differ).
public struct Change: Sendable, Equatable {
    /// How a change moves what the role reaches. `unknown` is never a pass: `--fail-on` counts it as a widening.
    public enum Class: String, Sendable, Hashable, CaseIterable {
        /// The role reaches a row, a column or a command it could not before.
        case widening
        /// It reaches strictly less.
        case narrowing
        /// The texts differ, the access does not.
        case equivalent
        /// Undecided: a timeout, an expression the solver cannot read, a view whose query changed.
        case unknown
        /// A new object (or role) whose access stays inside the tenant wall.
        case added
        /// A dropped object (or role): counts as a narrowing.
        case removed

        /// For a review's verdict, highest first: widening > unknown > narrowing (removed) > equivalent (added).
        public var rank: Int {
            switch self {
            case .widening: 4
            case .unknown: 3
            case .narrowing, .removed: 2
            case .equivalent, .added: 1
            }
        }
    }

    public var `class`: Class
    public var role: String
    /// The relation, qualified.
    public var object: String
    public var command: AccessCommand
    /// The columns a column grant added or removed, comma-separated; nil for a change to the whole table.
    public var column: String?
    /// `USING` or `WITH CHECK` when the change is to one clause of the predicate; nil otherwise.
    public var clause: String?
    /// What the role had, as text: a predicate, a grant, or a reach (`all rows: …`).
    public var base: String
    public var head: String
    /// For a widening: a row and context the head admits and the base does not (review runs it to confirm). Nil
    /// where there is no row to show: a view's rights or options, a grant that reaches no row, an undecided check.
    public var witness: Witness?
    /// Why, in words: the solver's reason for `unknown`, the reach that changed, the obligation that failed.
    public var reason: String

    public init(class: Class, role: String, object: String, command: AccessCommand, column: String? = nil, clause: String? = nil,
                base: String, head: String, witness: Witness? = nil, reason: String) {
        self.class = `class`
        self.role = role
        self.object = object
        self.command = command
        self.column = column
        self.clause = clause
        self.base = base
        self.head = head
        self.witness = witness
        self.reason = reason
    }

    /// The change as one line for text reports and logs:
    /// `widening app_user public.orders SELECT USING: tenant_id = f() -> (tenant_id = f()) OR (is_public)`.
    public var line: String {
        var subject = "\(self.class.rawValue) \(role) \(object) \(command.rawValue)"
        if let column { subject += " (\(column))" }
        if let clause { subject += " \(clause)" }
        return "\(subject): \(Self.oneLine(base)) -> \(Self.oneLine(head))"
    }

    /// Collapses runs of white space (a policy printed over several lines) into one space.
    static func oneLine(_ text: String) -> String {
        text.split(whereSeparator: \.isWhitespace).joined(separator: " ")
    }
}
