/// JUnit XML: one test case per check, grouped in a suite per table, so CI systems list every wall tried.
public enum JUnitReport {
    public static func render(_ report: VerifyReport) -> String {
        let groups = Dictionary(grouping: report.checks, by: \.table)
        var out = "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n"
        out += "<testsuites name=\"tenantwall verify\" tests=\"\(report.checks.count)\" failures=\"\(report.failed.count)\" skipped=\"\(report.skippedCount)\" time=\"\(seconds(report.durationMilliseconds))\" timestamp=\"\(Escape.xml(report.startedAt))\">\n"
        for table in groups.keys.sorted() {
            let checks = groups[table]!
            let failures = checks.filter { !$0.passed && !$0.skipped }.count
            out += "  <testsuite name=\"\(Escape.xml(table == "-" ? "roles and context" : table))\" tests=\"\(checks.count)\" failures=\"\(failures)\" skipped=\"\(checks.filter(\.skipped).count)\">\n"
            for check in checks {
                let name = "\(check.id) as \(check.role) (tenant \(check.tenant)): \(check.title)"
                out += "    <testcase classname=\"\(Escape.xml(table))\" name=\"\(Escape.xml(name))\" time=\"0\">"
                if check.skipped {
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
