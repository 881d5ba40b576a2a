/// One difference a review reports: who (role), on what (object, command, maybe a column), what it was and
/// what it becomes, its class, and the witness that shows a widening for real.
///
/// The renderers' input: built from the comparison's `Change` and the witness runner's outcome, so the reports
/// do not depend on how the comparison is computed.
public struct ReviewChange: Sendable, Equatable {
    /// The classes, strongest first: a review's verdict is the strongest class it found.
    public enum Class: String, Sendable, CaseIterable, Comparable {
        /// Some role can reach a row or column, or run a command, that it could not before.
        case widening
        /// Undecided (the solver timed out, an expression it cannot read, a witness that did not confirm):
        /// always reported, and failed on like a widening.
        case unknown
        /// Some role reaches less.
        case narrowing
        /// An object dropped: its access is gone (a narrowing).
        case removed
        /// A new object whose access stays inside the tenant wall.
        case added
        /// Different text, the same access.
        case equivalent

        /// Higher is stronger.
        public var rank: Int {
            switch self {
            case .widening: return 5
            case .unknown: return 4
            case .narrowing, .removed: return 3
            case .added, .equivalent: return 1
            }
        }

        /// The verdict word this class stands for (`removed` is a narrowing, `added` an equivalent).
        public var verdict: ReviewVerdict {
            switch self {
            case .widening: return .widening
            case .unknown: return .unknown
            case .narrowing, .removed: return .narrowing
            case .added, .equivalent: return .equivalent
            }
        }

        public static func < (a: Class, b: Class) -> Bool { a.rank < b.rank }
    }

    public var kind: Class
    public var role: String
    /// `schema.table`.
    public var object: String
    public var command: String
    /// A column, when the change is to a column grant.
    public var column: String?
    /// `USING` or `WITH CHECK`, when the change is to one clause of the predicate.
    public var clause: String?
    /// The predicate or grant before, and after, as text.
    public var base: String
    public var head: String
    /// The witness as SQL anyone can paste (BEGIN … ROLLBACK), nil when there is none.
    public var witness: String?
    /// Why: the comparison's reason, or the witness runner's when it did not confirm.
    public var reason: String
    /// Whether the witness ran on the scratch databases and showed the widening: nil when it did not run.
    public var confirmed: Bool?

    public init(kind: Class, role: String, object: String, command: String, column: String? = nil, clause: String? = nil,
                base: String, head: String, witness: String? = nil, reason: String = "", confirmed: Bool? = nil) {
        self.kind = kind
        self.role = role
        self.object = object
        self.command = command
        self.column = column
        self.clause = clause
        self.base = base
        self.head = head
        self.witness = witness
        self.reason = reason
        self.confirmed = confirmed
    }

    /// Strongest first, then by object, role, command: the order every report lists changes in.
    public static func ordered(_ changes: [ReviewChange]) -> [ReviewChange] {
        changes.sorted {
            ($0.kind.rank, $1.object, $1.role, $1.command, $1.column ?? "", $1.clause ?? "") > ($1.kind.rank, $0.object, $0.role, $0.command, $0.column ?? "", $0.clause ?? "")
        }
    }
}

/// A review's one-word outcome: the strongest class among its changes (`none` when there are none).
public enum ReviewVerdict: String, Sendable, Codable {
    case widening, unknown, narrowing, equivalent, none

    public static func of(_ changes: [ReviewChange]) -> ReviewVerdict {
        changes.map(\.kind).max()?.verdict ?? .none
    }
}

/// `--fail-on`: the class at or above which the review exits 1. `unknown` always counts as a widening.
public enum ReviewThreshold: String, Sendable, CaseIterable {
    case widening, unknown, narrowing, any, none

    /// Whether `changes` hold something at or above this threshold.
    public func fails(_ changes: [ReviewChange]) -> Bool {
        switch self {
        case .none: return false
        case .any: return !changes.isEmpty
        case .widening, .unknown: return changes.contains { $0.kind == .widening || $0.kind == .unknown }
        case .narrowing: return changes.contains { $0.kind.rank >= ReviewChange.Class.narrowing.rank }
        }
    }
}
