import Reporting

/// `review --format json`: the schema, `{"verdict", "changes": [{"class", "role", "object", "command",
/// "base", "head", "witness"}]}`, with `column`, `clause`, `reason` and `confirmed` added. `witness`, `column`,
/// `clause` and `confirmed` are written as null when absent, so every change has every key.
public enum JSONReviewReport {
    struct Report: Encodable {
        var verdict: String
        var changes: [Change]
        var sides: [Side]
        var milliseconds: Int
        /// Entries the same on both sides, skipped without the solver.
        var identical: Int
        var compareMilliseconds, witnessMilliseconds: Int
    }

    struct Change: Encodable {
        var change: ReviewChange

        enum Keys: String, CodingKey { case `class`, role, object, command, column, clause, base, head, witness, reason, confirmed }

        func encode(to encoder: Encoder) throws {
            var c = encoder.container(keyedBy: Keys.self)
            try c.encode(change.kind.rawValue, forKey: .class)
            try c.encode(change.role, forKey: .role)
            try c.encode(change.object, forKey: .object)
            try c.encode(change.command, forKey: .command)
            try c.encode(change.column, forKey: .column)
            try c.encode(change.clause, forKey: .clause)
            try c.encode(change.base, forKey: .base)
            try c.encode(change.head, forKey: .head)
            try c.encode(change.witness, forKey: .witness)
            try c.encode(change.reason, forKey: .reason)
            try c.encode(change.confirmed, forKey: .confirmed)
        }
    }

    /// Where each side came from and how long it took: for the pipeline's log, not part of the verdict.
    struct Side: Encodable {
        var name, label: String
        var relations, policies, roles: Int
        var entries: [String: Int]
        var serverStartMilliseconds: Int?
        var buildMilliseconds, readMilliseconds: Int
    }

    public static func render(_ summary: ReviewSummary) throws -> String {
        let sides = [summary.base, summary.head].map {
            Side(name: $0.name, label: $0.label, relations: $0.relations, policies: $0.policies, roles: $0.roles, entries: $0.entries,
                 serverStartMilliseconds: $0.serverStartMilliseconds, buildMilliseconds: $0.buildMilliseconds, readMilliseconds: $0.readMilliseconds)
        }
        return try JSONWriter.render(Report(verdict: summary.verdict.rawValue, changes: summary.changes.map(Change.init), sides: sides,
                                            milliseconds: summary.totalMilliseconds, identical: summary.identical,
                                            compareMilliseconds: summary.compareMilliseconds, witnessMilliseconds: summary.witnessMilliseconds))
    }
}
