import Reporting

/// `review --format markdown`: a pull request comment. A summary line, a table with one row per change, and
/// each witness below it as SQL in a collapsible block (a table cell cannot hold a code block).
///
/// Every name and predicate is escaped (`Escape`): a hostile table name cannot break the table or open a tag.
public enum MarkdownReviewReport {
    public static func render(_ summary: ReviewSummary) -> String {
        var out = "### tenantwall review: \(icon(summary.verdict)) **\(summary.verdict.rawValue)**\n\n"
        out += "\(summary.countsLine): \(Escape.xml(summary.base.label)) → \(Escape.xml(summary.head.label))"
        out += " (\(summary.totalMilliseconds) ms)\n"
        guard !summary.changes.isEmpty else { return out + "\nNo role reaches a row, column or command it could not reach before.\n" }
        out += "\n| Class | Role | Object | Command | Base | Head | Witness |\n|---|---|---|---|---|---|---|\n"
        var witnesses: [(Int, ReviewChange)] = []
        for change in summary.changes {
            var witness = "–"
            if change.witness != nil {
                witnesses.append((witnesses.count + 1, change))
                witness = "W\(witnesses.count)" + (change.confirmed.map { $0 ? " ✔ confirmed" : " ✘ not confirmed" } ?? "")
            }
            let object = change.object + (change.column.map { ".\($0)" } ?? "")
            out += "| \(change.kind.rawValue) | \(code(change.role)) | \(code(object)) | \(change.command)\(change.clause.map { " " + $0 } ?? "") | \(code(change.base)) | \(code(change.head)) | \(witness) |\n"
        }
        for (number, change) in witnesses {
            out += "\n<details><summary>W\(number): \(Escape.xml(change.role)) \(change.command) on \(Escape.xml(change.object))</summary>\n\n"
            if !change.reason.isEmpty { out += Escape.xml(change.reason) + "\n\n" }
            out += "```sql\n\(fenced(change.witness ?? ""))\n```\n\n</details>\n"
        }
        return out
    }

    static func icon(_ verdict: ReviewVerdict) -> String {
        switch verdict {
        case .widening: return "🔴"
        case .unknown: return "🟠"
        case .narrowing: return "🟢"
        case .equivalent, .none: return "⚪"
        }
    }

    /// Inline code in a table cell: HTML `<code>` (entities work there, unlike in backticks), the pipe escaped
    /// for the table, newlines as spaces.
    static func code(_ text: String) -> String {
        "<code>" + Escape.xml(text).replacingOccurrences(of: "|", with: "&#124;").replacingOccurrences(of: "\n", with: " ") + "</code>"
    }

    /// A witness inside a ``` fence: a line of three backticks in it would close the fence, so it is broken up.
    static func fenced(_ sql: String) -> String {
        sql.replacingOccurrences(of: "```", with: "` ` `")
    }
}
