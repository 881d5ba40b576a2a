import Proof

/// One obligation as prove reports it: the solver's verdict and, for a failure, what running its witness on the
/// database showed (or why it was not run).
public struct ProvedObligation: Sendable, Equatable {
    public var obligation: Obligation
    public var run: WitnessRun?
    /// Why a failure's witness was not run (REFERENCES, `--no-confirm`).
    public var note: String?
    /// The witness that ran, when it is not the solver's own (a row of another tenant, for a role that reaches
    /// around the policies and so needs no particular row).
    var ran: Witness?

    public init(obligation: Obligation, run: WitnessRun? = nil, note: String? = nil) {
        self.obligation = obligation
        self.run = run
        self.note = note
    }

    /// `holds`, `fails` or `unknown`. A counterexample to a predicate obligation that was run and not confirmed
    /// (PostgreSQL refused it, or it rests on a value no statement can set) makes the obligation `unknown`: the
    /// solver's model is not what the database does, so it is neither a failure shown nor a pass. What reaches
    /// around the policies fails whatever its witness does: that failure is read from the catalog, not solved.
    public var state: String {
        switch obligation.verdict {
        case .holds: return "holds"
        case .fails:
            if let run, !run.confirmed, obligation.kind != .reachesAround { return "unknown" }
            return "fails"
        case .unknown: return "unknown"
        }
    }

    /// The counterexample: the one that ran, else the solver's.
    public var witness: Witness? {
        if let ran { return ran }
        if case .fails(let witness) = obligation.verdict { return witness }
        return nil
    }

    /// One line: the obligation, and why it is undecided or what its witness showed.
    public var explained: String {
        var why = confirmation ?? ""
        if case .unknown(let reason) = obligation.verdict { why = "undecided: " + reason }
        return obligation.line + (why.isEmpty ? "" : " [\(why)]")
    }

    /// What running the witness showed, in words.
    public var confirmation: String? {
        guard let run else { return note.map { "not run: \($0)" } }
        switch run.outcome {
        case .admitted(true): return "confirmed: PostgreSQL admitted the witness"
        case .admitted(false): return "not confirmed: PostgreSQL refused the witness"
        case .couldNotRun(let reason): return "not confirmed: \(reason)"
        }
    }
}

/// What `tenantwall prove` found on one state: every obligation, held, failed (with its counterexample and its
/// confirmation) or unknown.
public struct ProveReport: Sendable, Equatable {
    public var source: String
    public var obligations: [ProvedObligation]
    public var notes: [String]
    public var roles: [String] = []
    public var solveMilliseconds = 0
    public var confirmMilliseconds = 0

    public init(source: String, obligations: [ProvedObligation], notes: [String] = []) {
        self.source = source
        self.obligations = obligations
        self.notes = notes
    }

    public var held: [ProvedObligation] { obligations.filter { $0.state == "holds" } }
    public var failed: [ProvedObligation] { obligations.filter { $0.state == "fails" } }
    public var unknown: [ProvedObligation] { obligations.filter { $0.state == "unknown" } }
    /// Failures whose witness PostgreSQL admitted.
    public var confirmed: [ProvedObligation] { failed.filter { $0.run?.confirmed == true } }

    /// `holds` when every obligation holds; `fails` when one fails; `unknown` when none fails and one is undecided.
    public var verdict: String { !failed.isEmpty ? "fails" : !unknown.isEmpty ? "unknown" : "holds" }

    /// 0 every obligation holds; 1 one fails or is undecided (never taken as a pass).
    public var exitCode: Int32 { verdict == "holds" ? 0 : 1 }
}

/// `--format json`: `{"verdict", "summary", "obligations": [{role, object, command, kind, clause, verdict, detail,
/// witness: {row, context} | null, confirmed, confirmation, script}]}`.
public struct ProveJSON: Encodable {
    struct Summary: Encodable {
        var obligations: Int, held: Int, failed: Int, confirmed: Int, unknown: Int
    }

    struct Entry: Encodable {
        var role: String, object: String, command: String, kind: String, clause: String?
        var verdict: String, detail: String
        var witness: WitnessJSON?
        var confirmed: Bool?
        var confirmation: String?
        var adjusted: [String]?
        var script: String?
    }

    struct WitnessJSON: Encodable {
        var row: [String: String?]
        var context: [String: String?]

        func encode(to encoder: Encoder) throws {
            var c = encoder.container(keyedBy: Key.self)
            try c.encode(Self.object(row), forKey: Key("row"))
            try c.encode(Self.object(context), forKey: Key("context"))
        }

        /// NULL stays `null` in the JSON (a dictionary of optionals would drop the key).
        static func object(_ values: [String: String?]) -> [String: NullableString] { values.mapValues(NullableString.init) }
    }

    struct NullableString: Encodable {
        var value: String?
        init(_ value: String?) { self.value = value }
        func encode(to encoder: Encoder) throws {
            var c = encoder.singleValueContainer()
            if let value { try c.encode(value) } else { try c.encodeNil() }
        }
    }

    struct Key: CodingKey {
        var stringValue: String
        var intValue: Int? { nil }
        init(_ s: String) { stringValue = s }
        init?(stringValue: String) { self.stringValue = stringValue }
        init?(intValue: Int) { nil }
    }

    var verdict: String
    var source: String
    var summary: Summary
    var obligations: [Entry]
    var notes: [String]

    public init(_ report: ProveReport) {
        verdict = report.verdict
        source = report.source
        summary = Summary(obligations: report.obligations.count, held: report.held.count, failed: report.failed.count,
                          confirmed: report.confirmed.count, unknown: report.unknown.count)
        notes = report.notes
        obligations = report.obligations.map { p in
            let o = p.obligation
            var detail = o.detail
            if case .unknown(let why) = o.verdict { detail = why + ": " + detail }
            return Entry(role: o.role, object: o.object, command: o.command.rawValue, kind: o.kind.rawValue, clause: o.clause,
                         verdict: p.state, detail: detail, witness: p.witness.map { WitnessJSON(row: $0.row, context: $0.context) },
                         confirmed: p.run.map(\.confirmed), confirmation: p.confirmation,
                         adjusted: p.run.flatMap { $0.adjusted.isEmpty ? nil : $0.adjusted },
                         script: p.run.flatMap { $0.script.isEmpty ? nil : $0.script })
        }
    }
}
