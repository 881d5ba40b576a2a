import Proof

/// prove for a terminal: a summary line, each failed or undecided obligation with its counterexample, what
/// running it showed and the SQL to paste; held obligations counted per object.
public enum ProveTextReport {
    public static func render(_ report: ProveReport) -> String {
        var lines = ["prove: \(report.source)"]
        lines += report.notes.map { "  " + $0 }
        for proved in report.failed + report.unknown {
            let o = proved.obligation
            lines.append("")
            lines.append("\(proved.state == "fails" ? "FAIL" : "UNKNOWN")  \(o.kind.rawValue)  \(o.role)  \(o.object)  \(o.command.rawValue)" + (o.clause.map { " " + $0 } ?? ""))
            lines.append("      \(o.detail)")
            if case .unknown(let why) = o.verdict { lines.append("      undecided: \(why)") }
            if let witness = proved.witness {
                lines.append("      counterexample: " + describe(witness))
            }
            if let confirmation = proved.confirmation { lines.append("      " + confirmation) }
            if let run = proved.run, !run.adjusted.isEmpty {
                lines.append("      columns no predicate names, filled so the table accepts the row: " + run.adjusted.joined(separator: ", "))
            }
            if let script = proved.run?.script, !script.isEmpty {
                lines.append("      to see it yourself (psql, as a superuser; it rolls back):")
                lines += script.split(separator: "\n").map { "        " + $0 }
            }
        }
        let heldObjects = Set(report.held.map(\.obligation.object)).count
        lines.append("")
        lines.append("\(report.obligations.count) obligations: \(report.held.count) hold (\(heldObjects) objects), \(report.failed.count) fail"
                     + " (\(report.confirmed.count) confirmed on the database), \(report.unknown.count) unknown;"
                     + " solved in \(report.solveMilliseconds) ms, witnesses run in \(report.confirmMilliseconds) ms")
        lines.append(report.verdict == "holds" ? "every wall holds" : report.verdict == "fails" ? "a wall does not hold" : "undecided: not a pass")
        return lines.joined(separator: "\n") + "\n"
    }

    /// `tenant_id = '…'::uuid, is_public = true; context setting:app.tenant_id = '…'`.
    static func describe(_ witness: Witness) -> String {
        let row = witness.row.sorted { $0.key < $1.key }.map { "\($0.key) = \($0.value ?? "NULL")" }.joined(separator: ", ")
        let context = witness.context.sorted { $0.key < $1.key }.map { "\($0.key) = \($0.value ?? "NULL")" }.joined(separator: ", ")
        return "row " + (row.isEmpty ? "(any)" : row) + "; context " + (context.isEmpty ? "(none)" : context)
    }
}
