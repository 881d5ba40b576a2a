import Reporting
import Tenantwall

/// JUnit XML: one test case per check, grouped in a suite per table, so CI systems list every wall tried.
///
/// A table that could not be probed is an `<error>`, not a `<skipped>`: JUnit's error is a test that could
/// not run to its verdict, and CI systems (GitHub, GitLab, Jenkins) turn the build red for it, while many
/// show a skip as neutral and pass the build. A wall nobody tried must not look like one that may be ignored.
public enum JUnitReport {
    public static func render(_ report: VerifyReport) -> String {
        let groups = Dictionary(grouping: report.checks, by: \.table)
        var out = "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n"
        out += "<testsuites name=\"tenantwall verify\" tests=\"\(report.checks.count)\" failures=\"\(report.failed.count)\" errors=\"\(report.notProbed.count)\" skipped=\"\(report.skippedCount)\" time=\"\(seconds(report.durationMilliseconds))\" timestamp=\"\(Escape.xml(report.startedAt))\">\n"
        for table in groups.keys.sorted() {
            let checks = groups[table]!
            let count = { (status: CheckResult.Status) in checks.filter { $0.status == status }.count }
            out += "  <testsuite name=\"\(Escape.xml(table == "-" ? "roles and context" : table))\" tests=\"\(checks.count)\" failures=\"\(count(.failed))\" errors=\"\(count(.notProbed))\" skipped=\"\(count(.skipped))\">\n"
            for check in checks {
                let name = "\(check.id) as \(check.role) (tenant \(check.tenant)): \(check.title)"
                out += "    <testcase classname=\"\(Escape.xml(table))\" name=\"\(Escape.xml(name))\" time=\"0\">"
                if check.notProbed {
                    out += "\n      <error message=\"\(Escape.xml(check.actual))\" type=\"not-probed\">\(Escape.xml(check.sql))</error>\n    "
                } else if check.skipped {
                    out += "<skipped message=\"\(Escape.xml(check.actual))\"/>"
                } else if !check.passed {
                    out += "\n      <failure message=\"\(Escape.xml("expected \(check.expected), got \(check.actual)"))\" type=\"\(Escape.xml(check.id))\">\(Escape.xml(check.sql))</failure>\n    "
                }
                out += "</testcase>\n"
            }
            out += "  </testsuite>\n"
        }
        return out + "</testsuites>\n"
    }

    static func seconds(_ ms: Int) -> String {
        let s = String(ms / 1000), frac = String(ms % 1000)
        return s + "." + String(repeating: "0", count: 3 - frac.count) + frac
    }
}
