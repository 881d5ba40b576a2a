import Reporting
import Tenantwall

/// A Markdown summary for pull requests: the verdict, one line per table, every table that could not be
/// probed with the reason, and every failed check with the SQL that crossed the wall.
public enum MarkdownReport {
    public static func render(_ report: VerifyReport) -> String {
        var out = "## tenantwall verify: " + verdict(report) + "\n\n"
        out += "\(report.checks.count) checks (\(report.passedCount) passed, \(report.failed.count) failed, \(report.notProbed.count) not probed, \(report.skippedCount) skipped) "
        out += "on `\(report.database)` (PostgreSQL \(report.serverVersion)) in \(report.durationMilliseconds) ms, started \(report.startedAt). "
        out += "Probe tenants: " + report.tenants.keys.sorted().map { "\($0) = `\(report.tenants[$0]!)`" }.joined(separator: ", ") + ".\n\n"
        out += "| table | passed | failed | not probed |\n| --- | ---: | ---: | ---: |\n"
        let groups = Dictionary(grouping: report.checks, by: \.table)
        for table in groups.keys.sorted() {
            let checks = groups[table]!
            let failed = checks.filter { $0.status == .failed }.count, notProbed = checks.filter { $0.status == .notProbed }.count
            let mark = failed > 0 ? "❌" : notProbed > 0 ? "⚠️" : "✅"
            out += "| \(mark) \(Escape.markdownCell(table == "-" ? "roles and context" : table)) | \(checks.count - failed - notProbed) | \(failed) | \(notProbed) |\n"
        }
        if !report.notProbed.isEmpty {
            out += "\n### Could not probe\n\nNo wall of these tables was tried: their probe rows could not be written. This is not a pass.\n"
            for check in report.notProbed {
                out += "\n**\(Escape.markdownCell(check.table))**: \(check.actual)\n\n```sql\n\(check.sql)\n```\n"
            }
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

    /// The headline: broken walls first, then tables nobody could probe, then the all-clear.
    static func verdict(_ report: VerifyReport) -> String {
        if !report.failed.isEmpty { return "\(report.failed.count) wall(s) broken" + (report.notProbed.isEmpty ? "" : ", \(report.notProbed.count) table(s) not probed") }
        if !report.notProbed.isEmpty { return "\(report.notProbed.count) table(s) could not be probed" }
        return "every wall holds"
    }
}
