/// The command a witness is run as: what the obligation or change was about.
public enum WitnessCommand: String, Sendable, CaseIterable {
    case select = "SELECT", insert = "INSERT", update = "UPDATE", delete = "DELETE", truncate = "TRUNCATE"

    /// `SELECT`, `select`, `ALL`… as the access model spells a command; nil for one a witness cannot run
    /// (REFERENCES: a foreign key check, which no statement of the role's own performs).
    public init?(spelled: String) {
        self.init(rawValue: spelled.uppercased())
    }

    /// Whether the witness row is written (as the superuser, foreign keys off) before the role acts on it.
    var needsRowFirst: Bool { self != .insert && self != .truncate }
}

/// What running a witness on a real database showed.
public enum WitnessOutcome: Sendable, Equatable {
    /// The statement ran as the role in the witness' context: `true` when the row was admitted (read, written,
    /// changed or deleted), `false` when PostgreSQL refused it.
    case admitted(Bool)
    /// The witness could not be run as it stands (a context no statement can set, a row the table refuses, no
    /// superuser): never taken as a confirmation, never as a refutation.
    case couldNotRun(String)
}

/// One run of a witness: the outcome, the SQL that ran (paste-able, `BEGIN … ROLLBACK`), and what was changed
/// in the row to make the table accept it (columns no predicate names, taken from a row the table already holds).
public struct WitnessRun: Sendable, Equatable {
    public var outcome: WitnessOutcome
    public var script: String
    public var adjusted: [String]
    /// The statements the run was made of (nil when it could not be planned): prove's pgTAP script reuses them.
    var plan: WitnessPlan?

    public init(outcome: WitnessOutcome, script: String, adjusted: [String] = []) {
        self.outcome = outcome
        self.script = script
        self.adjusted = adjusted
    }

    init(outcome: WitnessOutcome, plan: WitnessPlan, adjusted: [String] = []) {
        self.init(outcome: outcome, script: plan.script, adjusted: adjusted)
        self.plan = plan
    }

    /// True when the run showed the row admitted.
    public var confirmed: Bool { outcome == .admitted(true) }
}
