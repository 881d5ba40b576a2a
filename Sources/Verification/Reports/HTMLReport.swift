import Reporting
import Tenantwall

/// A self-contained HTML page for auditors: the verdict, the failed checks with their SQL first, the tables
/// that could not be probed (amber, with the reason: unproven, neither pass nor fail), then the
/// table × tenant × command matrix coloured pass/fail (in a box that scrolls sideways, its first column kept in
/// view), the other checks with failures first and passes folded, fingerprints and time. No scripts, fonts or
/// images to fetch.
public enum HTMLReport {
    static let commands = ["SELECT", "COPY", "INSERT", "UPDATE", "DELETE"]
    /// Without a tenant, only reads and inserts are tried.
    static func commands(for tenant: String) -> [String] { tenant.count == 1 ? commands : ["SELECT", "INSERT"] }

    public static func render(_ report: VerifyReport) -> String {
        let tenants = report.tenants.keys.sorted() + ["none", "empty", "malformed"]
        let tables = Set(report.checks.map(\.table)).subtracting(["-"]).sorted()
        var out = """
            <!DOCTYPE html>
            <html lang="en"><head><meta charset="utf-8"><title>tenantwall verify: \(Escape.xml(report.database))</title>
            \(style)</head><body>
            <h1>tenantwall verify</h1>

            """
        let verdict = !report.failed.isEmpty ? "\(report.failed.count) check(s) failed" + (report.notProbed.isEmpty ? "" : ", \(report.notProbed.count) table(s) not probed")
            : !report.notProbed.isEmpty ? "\(report.notProbed.count) table(s) could not be probed: their walls are unproven" : "Every wall holds"
        out += "<p class=\"verdict \(!report.failed.isEmpty ? "bad" : !report.notProbed.isEmpty ? "np" : "ok")\">" + Escape.xml(verdict) + "</p>\n"
        out += "<p>\(report.checks.count) checks: \(report.passedCount) passed, \(report.failed.count) failed, \(report.notProbed.count) not probed, \(report.skippedCount) skipped, in \(report.durationMilliseconds) ms.</p>\n"
        if !report.failed.isEmpty {
            out += "<h2>Failed checks</h2>\n"
            for check in report.failed {
                out += "<div class=\"fail\"><p><strong>\(Escape.xml(check.table))</strong> — <code>\(Escape.xml(check.id))</code> as <code>\(Escape.xml(check.role))</code>, tenant \(Escape.xml(check.tenant)): \(Escape.xml(check.title))</p>"
                out += "<p>expected: \(Escape.xml(check.expected)); got: <strong>\(Escape.xml(check.actual))</strong></p><pre>\(Escape.xml(check.sql))</pre></div>\n"
            }
        }
        if !report.notProbed.isEmpty {
            out += "<h2>Could not probe</h2>\n<p>No wall of these tables was tried: their probe rows could not be written. This is not a pass.</p>\n"
            for check in report.notProbed {
                out += "<div class=\"unprobed\"><p><strong>\(Escape.xml(check.table))</strong>: \(Escape.xml(check.actual))</p><pre>\(Escape.xml(check.sql))</pre></div>\n"
            }
        }
        out += "<table class=\"meta\">"
        for (key, value) in [("database", "\(report.database) (PostgreSQL \(report.serverVersion))"), ("started", report.startedAt),
                             ("spec", report.specFiles.joined(separator: ", ")), ("spec fingerprint (SHA-256)", report.specFingerprint),
                             ("database fingerprint (SHA-256 of the catalog)", report.databaseFingerprint),
                             ("probe tenants", report.tenants.keys.sorted().map { "\($0) = \(report.tenants[$0]!)" }.joined(separator: ", "))] {
            out += "<tr><th class=\"t\">\(Escape.xml(key))</th><td>\(Escape.xml(value))</td></tr>"
        }
        out += "</table>\n" + matrix(report, tenants: tenants, tables: tables)
        let other = report.checks.filter { $0.table == "-" || !commands.contains($0.command) || !tenants.contains($0.tenant) }
        let failing = other.filter { $0.status == .failed || $0.status == .notProbed }, rest = other.filter { $0.status == .passed || $0.status == .skipped }
        let cell: [CheckResult.Status: (String, String)] = [.passed: ("ok", "pass"), .failed: ("bad", "FAIL"), .skipped: ("na", "skipped"), .notProbed: ("np", "not probed")]
        func rows(_ checks: [CheckResult]) -> String {
            "<table><tr><th class=\"t\">check</th><th class=\"t\">table</th><th>role</th><th>result</th></tr>\n" + checks.map { check in
                "<tr><td class=\"t\">\(Escape.xml(check.title))</td><td class=\"t\">\(Escape.xml(check.table))</td><td>\(Escape.xml(check.role))</td>"
                    + "<td class=\"\(cell[check.status]!.0)\">\(cell[check.status]!.1)</td></tr>\n"
            }.joined() + "</table>\n"
        }
        out += "<h2>Roles, context, catalog and admin mode</h2>\n"
        if !failing.isEmpty { out += rows(failing) }
        out += "<details><summary>\(rest.count) passed or skipped</summary>\n" + rows(rest) + "</details>\n"
        out += "<p>Every probe row was written inside a transaction that was rolled back; no existing row was changed.</p>\n</body></html>\n"
        return out
    }

    /// The table × tenant context × command matrix: one cell per combination, pass or the number of failures.
    static func matrix(_ report: VerifyReport, tenants: [String], tables: [String]) -> String {
        var out = "<h2>Matrix: table × tenant context × command</h2>\n<div class=\"scroll\"><table class=\"matrix\"><tr><th class=\"t\" rowspan=\"2\">table</th>"
        for tenant in tenants { out += "<th colspan=\"\(commands(for: tenant).count)\">\(Escape.xml(tenant.count == 1 ? "tenant " + tenant : tenant + " context"))</th>" }
        out += "</tr><tr>" + tenants.map { commands(for: $0).map { "<th>\($0)</th>" }.joined() }.joined() + "</tr>\n"
        for table in tables {
            if report.notProbed.contains(where: { $0.table == table }) {
                let cells = tenants.map { commands(for: $0).count }.reduce(0, +)
                out += "<tr><td class=\"t\">\(Escape.xml(table))</td><td class=\"np\" colspan=\"\(cells)\">not probed</td></tr>\n"
                continue
            }
            out += "<tr><td class=\"t\">\(Escape.xml(table))</td>"
            for tenant in tenants {
                for command in commands(for: tenant) {
                    let cell = report.checks.filter { $0.table == table && $0.tenant == tenant && $0.command == command && !$0.skipped }
                    if cell.isEmpty { out += "<td class=\"na\">–</td>"; continue }
                    let failed = cell.filter { !$0.passed }.count
                    out += "<td class=\"\(failed == 0 ? "ok" : "bad")\" title=\"\(Escape.xml(cell.map { "\($0.id) as \($0.role): \($0.passed ? "pass" : "FAIL")" }.joined(separator: "\n")))\">\(failed == 0 ? "✓" : "✗ \(failed)")</td>"
                }
            }
            out += "</tr>\n"
        }
        out += "</table></div>\n"
        return out
    }

    static let style = """
        <style>
        body{font:14px/1.45 system-ui,sans-serif;margin:2rem;color:#1d1d1f}
        h1{font-size:1.5rem}.verdict{padding:.6rem 1rem;border-radius:6px;display:inline-block;font-weight:600}
        .ok{background:#d9f2e0;color:#0b5d28}.bad{background:#fbdada;color:#8a1010}.na{background:#f2f2f2;color:#999}
        .np{background:#fdf0c8;color:#7a5200}.unprobed{border-left:4px solid #d49a00;padding-left:.8rem;margin:1.2rem 0}
        table{border-collapse:collapse;margin:1rem 0}td,th{border:1px solid #ddd;padding:.25rem .45rem;text-align:center}
        th.t{text-align:left}td.t{text-align:left;font-family:ui-monospace,monospace}
        pre{background:#f6f6f6;padding:.6rem;overflow-x:auto;white-space:pre-wrap}
        .meta td{text-align:left}.fail{border-left:4px solid #c62828;padding-left:.8rem;margin:1.2rem 0}
        .scroll{overflow-x:auto;max-width:100%}.matrix td,.matrix th{padding:.15rem .3rem;font-size:12px}
        .matrix td.t,.matrix th.t{position:sticky;left:0;background:#fff;z-index:1}
        </style>
        """
}
