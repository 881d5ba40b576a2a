/// A Markdown summary for pull requests: the verdict, one line per table, and every failed check with the
/// SQL that crossed the wall.
public enum MarkdownReport {
    public static func render(_ report: VerifyReport) -> String {
        var out = "## tenantwall verify: " + (report.failed.isEmpty ? "every wall holds" : "\(report.failed.count) wall(s) broken") + "\n\n"
        out += "\(report.checks.count) checks (\(report.passedCount) passed, \(report.failed.count) failed, \(report.skippedCount) skipped) "
        out += "on `\(report.database)` (PostgreSQL \(report.serverVersion)) in \(report.durationMilliseconds) ms, started \(report.startedAt). "
        out += "Probe tenants: " + report.tenants.keys.sorted().map { "\($0) = `\(report.tenants[$0]!)`" }.joined(separator: ", ") + ".\n\n"
        out += "| table | passed | failed |\n| --- | ---: | ---: |\n"
        let groups = Dictionary(grouping: report.checks, by: \.table)
        for table in groups.keys.sorted() {
            let checks = groups[table]!
            let failed = checks.filter { !$0.passed && !$0.skipped }.count
            out += "| \(failed > 0 ? "❌" : "✅") \(Escape.markdownCell(table == "-" ? "roles and context" : table)) | \(checks.count - failed) | \(failed) |\n"
        }
        if !report.failed.isEmpty {
            out += "\n### Failed checks\n"
            for check in report.failed {
                out += "\n**\(Escape.markdownCell(check.table))** — `\(check.id)` as `\(check.role)` (tenant \(check.tenant)): \(check.title)\n\n"
                out += "expected: \(check.expected); got: \(check.actual)\n\n```sql\n\(check.sql)\n```\n"
            }
        }
        out += "\nSpec fingerprint `\(report.specFingerprint.prefix(16))`, database fingerprint `\(report.databaseFingerprint.prefix(16))`. "
        out += "Every probe row was written in a transaction that was rolled back.\n"
        return out
    }
}
