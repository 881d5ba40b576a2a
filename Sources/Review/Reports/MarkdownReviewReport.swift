import Reporting

/// `review --format markdown`: a pull request comment. A summary line, a table with one row per change that
/// moves access (why, and a pointer to its witness), the equivalent rewrites folded away below it, and each
/// witness as SQL in a collapsible block (a table cell cannot hold a code block).
///
/// Every name and predicate is escaped (`Escape`): a hostile table name cannot break the table or open a tag.
public enum MarkdownReviewReport {
    public static func render(_ summary: ReviewSummary) -> String {
        var out = "### tenantwall review: \(icon(summary.verdict)) **\(summary.verdict.rawValue)**\n\n"
        out += "\(summary.countsLine): \(Escape.xml(summary.base.label)) → \(Escape.xml(summary.head.label))"
        out += " (\(summary.totalMilliseconds) ms)\n"
        guard !summary.changes.isEmpty else { return out + "\nNo role reaches a row, column or command it could not reach before.\n" }
        let moving = summary.changes.filter { $0.kind != .equivalent }
        let equivalent = summary.changes.filter { $0.kind == .equivalent }
        var witnesses: [ReviewChange] = []
        if !moving.isEmpty {
            out += "\n| Class | Role | Object | Command | Base | Head | Why | Witness |\n|---|---|---|---|---|---|---|---|\n"
            for change in moving {
                var witness = "–"
                if change.witness != nil {
                    witnesses.append(change)
                    witness = "W\(witnesses.count)" + (change.confirmed.map { $0 ? " ✔ confirmed" : " ✘ not confirmed" } ?? "")
                }
                out += "| \(change.kind.rawValue) | \(cells(change)) | \(cell(change.reason)) | \(witness) |\n"
            }
        }
        if !equivalent.isEmpty {
            out += "\n<details><summary>\(equivalent.count) equivalent rewrite(s): different text, the same access</summary>\n\n"
            out += "| Role | Object | Command | Base | Head |\n|---|---|---|---|---|\n"
            for change in equivalent { out += "| \(cells(change)) |\n" }
            out += "\n</details>\n"
        }
        for (index, change) in witnesses.enumerated() {
            out += "\n<details><summary>W\(index + 1): \(Escape.xml(change.role)) \(change.command) on \(Escape.xml(change.object))</summary>\n\n"
            out += "```sql\n\(fenced(change.witness ?? ""))\n```\n\n</details>\n"
        }
        return out
    }

    /// Role, object (with its column), command (with its clause), base and head: the cells every row has.
    static func cells(_ change: ReviewChange) -> String {
        let object = change.object + (change.column.map { ".\($0)" } ?? "")
        let command = change.command + (change.clause.map { " " + $0 } ?? "")
        return [code(change.role), code(object), command, code(change.base), code(change.head)].joined(separator: " | ")
    }

    /// Plain text in a table cell: escaped, the pipe as an entity, newlines as spaces.
    static func cell(_ text: String) -> String {
        Escape.xml(text).replacingOccurrences(of: "|", with: "&#124;").replacingOccurrences(of: "\n", with: " ")
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
        "<code>" + cell(text) + "</code>"
    }

    /// A witness inside a ``` fence: a line of three backticks in it would close the fence, so it is broken up.
    static func fenced(_ sql: String) -> String {
        sql.replacingOccurrences(of: "```", with: "` ` `")
    }
}
