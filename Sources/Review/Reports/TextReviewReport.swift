/// `review --format text`: what a person at a terminal reads: both sides, each change with its two predicates
/// and its witness, the verdict last.
public enum TextReviewReport {
    public static func render(_ summary: ReviewSummary) -> String {
        var lines: [String] = []
        for side in [summary.base, summary.head] {
            let start = side.serverStartMilliseconds.map { "server \($0) ms, " } ?? ""
            lines.append("\(side.label): \(side.relations) relations, \(side.policies) policies, \(side.roles) roles; "
                         + "\(side.entriesLine) (\(start)build \(side.buildMilliseconds) ms, read \(side.readMilliseconds) ms)")
        }
        for note in summary.notes { lines.append("note: " + note) }
        if !summary.changes.isEmpty { lines.append("") }
        for change in summary.changes {
            let column = (change.column.map { " (column \($0))" } ?? "") + (change.clause.map { " \($0)" } ?? "")
            lines.append("\(change.kind.rawValue.uppercased().padding(toLength: 10, withPad: " ", startingAt: 0)) \(change.role) \(change.command) on \(change.object)\(column)")
            lines.append("    base: \(change.base)")
            lines.append("    head: \(change.head)")
            if !change.reason.isEmpty { lines.append("    why:  \(change.reason)") }
            if let witness = change.witness {
                let state = change.confirmed.map { $0 ? "confirmed on the scratch databases" : "not confirmed" } ?? "not run"
                lines.append("    witness (\(state)):")
                lines += witness.split(separator: "\n", omittingEmptySubsequences: false).map { "      " + $0 }
            }
        }
        lines.append("")
        lines.append("verdict: \(summary.verdict.rawValue) (\(summary.countsLine); \(summary.identical) entries identical on both sides) in \(summary.totalMilliseconds) ms "
                     + "(compare \(summary.compareMilliseconds) ms, witnesses \(summary.witnessMilliseconds) ms)")
        return lines.joined(separator: "\n") + "\n"
    }
}
